"""The material the service answers from: the bureau's database, or the demo when it is empty."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.catalog import Catalog
from knowledge.database import read_revision
from knowledge.demo_material import has_material, open_demo_engine
from knowledge.element_synonyms import ElementSynonyms
from knowledge.index import SearchIndex
from knowledge.material import load_material
from knowledge.qa import published_answers
from knowledge.tokenizer import DomainTokenizer

log = logging.getLogger(__name__)

# While the demo is in use the revision is negative (-1 - the database's own revision): it still
# moves when staff publish Q&A, and the first real import is always seen as a change.
DEMO_REVISION = -1


@dataclass
class KnowledgeBase:
    """Builds search snapshots from the bureau's database, falling back to the demo material."""

    engine: Engine
    catalog: Catalog
    synonyms: ElementSynonyms
    tokenizer: DomainTokenizer
    load_demo: str = "auto"  # auto, never, always
    _demo: Engine | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def uses_demo(self) -> bool:
        """True when answers come from the demo material (the database holds none)."""
        if self.load_demo == "always":
            return True
        return self.load_demo == "auto" and not has_material(self.engine)

    def revision(self) -> int:
        """The revision answers should be at (cheap: one row)."""
        own = read_revision(self.engine)
        return DEMO_REVISION - own if self.uses_demo() else own

    def material_engine(self) -> Engine:
        """The database the current material comes from (the demo's when in use)."""
        if not self.uses_demo():
            return self.engine
        with self._lock:
            if self._demo is None:
                self._demo, report = open_demo_engine(self.catalog, self.synonyms)
                log.info(
                    "no published material yet: answering from the demo (%d files)",
                    len(report.files),
                )
            return self._demo

    def build_index(self) -> SearchIndex:
        """A fresh snapshot of the current material (blocking: call from a thread)."""
        engine = self.material_engine()
        revision = self.revision()
        with Session(engine) as session:
            material = load_material(session, revision)
        # Published Q&A live in the bureau's own database, also while the demo is in use.
        with Session(self.engine) as session:
            answers = published_answers(session)
        return SearchIndex.build(material, self.tokenizer, answers)
