"""Findings whose boxes come from the page, not from its text: images that
may show a person, and text hidden under a box someone drew over it."""

from __future__ import annotations

from collections.abc import Iterator

from redactor.detect.recognizers.base import Recognizer, Span


class ImageRecognizer(Recognizer):
    shape = "image"

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        return iter(())


class CoveredRecognizer(Recognizer):
    """Text hidden under a box drawn over it (spans come from the page's
    geometry, see ``Detector._covered_findings``)."""

    shape = "text under a drawn box"

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        return iter(())
