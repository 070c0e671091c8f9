"""The bundled demo material: a fictional 山阴县 folder, loaded when the database holds none.

It is imported into a private in-memory database, never into the bureau's own, so that
material the bureau imports later is never mixed with the demo.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from knowledge.catalog import Catalog
from knowledge.database import open_engine
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.models import Document
from knowledge.report import ImportReport


def demo_folder() -> Path:
    """Where the packaged demo folder is."""
    return Path(str(resources.files("knowledge").joinpath("demo", "published")))


def has_material(engine: Engine) -> bool:
    """True when the database holds any published document."""
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Document)).scalar()
    return bool(count)


def open_demo_engine(
    catalog: Catalog, synonyms: ElementSynonyms, folder: Path | None = None
) -> tuple[Engine, ImportReport]:
    """A private in-memory database holding the demo material."""
    engine = open_engine("sqlite://")
    report = import_folder(engine, folder or demo_folder(), catalog, synonyms, source="演示材料")
    return engine, report
