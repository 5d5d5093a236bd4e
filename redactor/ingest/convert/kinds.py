"""Which inputs are converted to PDF first, and the options of a conversion:
apart from the converters, so that redacting a PDF does not import them
(start-up, issue 14). :mod:`redactor.ingest.convert.inputs` converts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WRITER = (".docx", ".doc", ".odt", ".rtf")
IMPRESS = (".pptx", ".ppt", ".odp")
CALC = (".xlsx", ".xls", ".ods")
OFFICE = WRITER + IMPRESS + CALC + (".csv",)
TEXT = (".txt", ".html", ".htm", ".ics", ".vcf")  # (a calendar invitation, a contact card: plain text)
EMAIL = (".eml", ".msg")
IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp")
SUPPORTED = OFFICE + TEXT + EMAIL + IMAGES

#: What to do with an Office file's hidden content (--hidden-content):
#: see :mod:`redactor.ingest.convert.office_hidden`.
POLICIES = ("render", "drop", "refuse")
DEFAULT_POLICY = "render"


@dataclass(frozen=True)
class ConvertOptions:
    hidden_content: str = DEFAULT_POLICY  #: render | drop | refuse
    timeout: float = 120.0  #: seconds per conversion
    max_depth: int = 3  #: e-mails inside e-mails
    password: str | None = None
    max_pages: int = 10_000


def needs_conversion(path: Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED
