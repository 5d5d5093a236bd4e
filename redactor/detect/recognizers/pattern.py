"""Regular-expression shapes and listed terms."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from redactor.detect import patterns
from redactor.detect.context import words_regex
from redactor.detect.recognizers.base import Recognizer, Span


class PatternRecognizer(Recognizer):
    """A ``regex`` pattern; ``group`` names the part to redact."""

    shape = "pattern"

    def __init__(self, rule):
        super().__init__(rule)
        flags = regex.V1 | (regex.IGNORECASE if rule.ignore_case else 0)
        self.regex = patterns.compile(rule.pattern or "", flags)

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        group = self.rule.group or 0
        for m in self.regex.finditer(text):
            start, end = m.span(group)
            if end > start:
                yield start, end


class TermsRecognizer(Recognizer):
    """Whole-word, case-insensitive match of listed terms (across line breaks)."""

    shape = "term"

    def __init__(self, rule):
        super().__init__(rule)
        self.regex = words_regex(rule.terms)

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        for m in self.regex.finditer(text):
            yield m.span()
