"""What a user may keep in a release (``--keep``): the sanitiser's options,
apart from the sanitiser, so that ``--help`` lists them without importing
PyMuPDF and pikepdf (start-up, issue 14). Every default is the safe one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SanitizeOptions:
    keep_outlines: bool = False  #: keep bookmarks whose titles hold no redacted text
    keep_links: bool = False  #: keep links whose targets hold no redacted text
    keep_page_labels: bool = False
    keep_tags: bool = True  #: keep the structure tree (accessibility), cleaned

    @staticmethod
    def from_keep(keep: list[str], drop_tags: bool = False) -> "SanitizeOptions":
        names = {k.strip().lower() for k in keep}
        return SanitizeOptions(
            keep_outlines="outlines" in names,
            keep_links="links" in names,
            keep_page_labels="page-labels" in names,
            keep_tags=not drop_tags,
        )


KEEP_CHOICES = ("outlines", "links", "page-labels")
