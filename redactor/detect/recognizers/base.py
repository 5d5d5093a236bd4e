"""What every recognizer is."""

from __future__ import annotations

from collections.abc import Iterator

Span = tuple[int, int]


class Recognizer:
    """Finds the spans of one rule's shape. Subclasses implement :meth:`spans`.

    ``text`` has its line breaks as U+2028 (see
    :data:`redactor.detect.context.LINE_BREAK`) unless the rule says
    ``cross_lines: false``; ``doc`` is the spaCy parse, when there is one."""

    #: how the rule's shape is described to a reviewer (``rules test``)
    shape = "pattern"

    def __init__(self, rule):
        self.rule = rule

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        raise NotImplementedError
