"""Recognizers, one class per rule kind, behind one registry.

A recognizer finds the *shape* of an identifier in a text and yields its
spans; everything else a rule says (context words, validators, the score
needed to propose, allow lists) is weighed by the engine
(:mod:`redactor.detect.engine`), the same way for every kind.
"""

from __future__ import annotations

from redactor.detect.recognizers.base import Recognizer, Span
from redactor.detect.recognizers.image import CoveredRecognizer, ImageRecognizer
from redactor.detect.recognizers.names import NameRecognizer
from redactor.detect.recognizers.ner import NerRecognizer
from redactor.detect.recognizers.pattern import PatternRecognizer, TermsRecognizer
from redactor.detect.recognizers.phone import PhoneRecognizer

REGISTRY: dict[str, type[Recognizer]] = {
    "pattern": PatternRecognizer,
    "terms": TermsRecognizer,
    "phone": PhoneRecognizer,
    "ner": NerRecognizer,
    "names": NameRecognizer,
    "image": ImageRecognizer,
    "covered": CoveredRecognizer,
}


def build(rule) -> Recognizer:
    return REGISTRY[rule.kind](rule)


__all__ = ["REGISTRY", "Recognizer", "Span", "build"]
