"""A finding: one proposed redaction, with the reason for it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

Rect = tuple[float, float, float, float]

STATUSES = ("proposed", "accepted", "rejected")


def normalise(text: str) -> str:
    """Case-folded, white space collapsed: how redacted texts are compared."""
    return " ".join(text.casefold().split())


@dataclass
class Finding:
    page: int  #: 1-based page number (0 for a plain-text input)
    start: int  #: character offsets in the page text (or the .txt file)
    end: int
    text: str
    category: str
    exemption: str
    rule: str
    confidence: float
    rects: list[Rect] = field(default_factory=list)
    hidden: str | None = None  #: why a viewer would not show this text
    context_before: str = ""
    context_after: str = ""
    status: str = "proposed"
    reviewer: str | None = None
    decided_at: str | None = None
    note: str | None = None
    id: str = ""
    source: str | None = None  #: the reading it was found in, when not the PDF's own text ("ocr", ...)
    #: May verification look for this text in any case? False when every
    #: word of it is an ordinary English word ("White", "Turner" on their
    #: own): then only the text as written (or in capitals, if it was found
    #: in capitals) proves it is still readable, since "white" elsewhere is
    #: prose, not the name.
    fold_case: bool = True
    #: Does verification look for this text across the whole file? False for
    #: a name redacted only where the words around it say it is a person (a
    #: first name alone: "ring Gareth on"; "The Gareth report" stays): its
    #: boxes are checked, the text is not searched for elsewhere.
    searched: bool = True

    def __post_init__(self) -> None:
        if not self.id:
            key = f"{self.page}:{self.start}:{self.end}:{self.rule}:{self.text}"
            self.id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["rects"] = [[round(v, 2) for v in r] for r in self.rects]
        d["confidence"] = round(self.confidence, 3)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        d = dict(d)
        d["rects"] = [tuple(float(v) for v in r) for r in d.get("rects", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})
