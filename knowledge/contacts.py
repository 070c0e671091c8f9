"""The bureau's published service numbers: the enquiry line, the supervision line, all others.

The bot gives the enquiry line when it cannot answer, the supervision line for reports, and
never masks a number the bureau published as a service number (spec: phone numbers in answers
are masked unless they are the bureau's own published service numbers).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from knowledge.material import Material

_PHONE = r"(0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|\d{3,4}-\d{7,8}|12345)"
_LABELLED = re.compile(
    rf"((?:咨询|联系|办公|服务|值班|举报|监督|投诉)?电话|热线)[^0-9\n]{{0,12}}{_PHONE}"
)
_ENQUIRY_LABELS = ("咨询", "联系", "服务", "热线")
_REPORT_LABELS = ("举报", "监督", "投诉")


@dataclass(frozen=True)
class Contacts:
    """Service numbers as published (display form) and as digits (for the keep-list)."""

    enquiry: str = ""
    report: str = ""
    service_digits: frozenset[str] = frozenset()


def find_contacts(material: Material) -> Contacts:
    """The most often published enquiry and supervision numbers, and every labelled number."""
    enquiry: Counter[str] = Counter()
    report: Counter[str] = Counter()
    every: set[str] = set()
    for document in material.documents:
        texts = [text for _, text in document.passages]
        if document.table is not None:
            texts.extend(document.table.notes)
        for text in texts:
            for match in _LABELLED.finditer(text):
                label, number = match.group(1), match.group(2)
                every.add(re.sub(r"\D", "", number))
                if any(word in label for word in _REPORT_LABELS):
                    report[number] += 1
                elif any(word in label for word in _ENQUIRY_LABELS) or label == "电话":
                    enquiry[number] += 1
    return Contacts(
        enquiry=enquiry.most_common(1)[0][0] if enquiry else "",
        report=report.most_common(1)[0][0] if report else "",
        service_digits=frozenset(every),
    )
