"""Inputs that are not PDF: Office documents, e-mails, images, text.

:func:`open_input` turns a file into the intermediate PDFs to redact
(:class:`Prepared`); see :mod:`redactor.ingest.convert.inputs`.
"""

from redactor.ingest.convert.kinds import SUPPORTED, ConvertOptions, needs_conversion


def __getattr__(name: str):
    """The converters are imported when first used: a PDF input needs none
    of them (start-up, issue 14)."""
    if name in ("Prepared", "open_input"):
        from redactor.ingest.convert import inputs

        return getattr(inputs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SUPPORTED", "ConvertOptions", "Prepared", "needs_conversion", "open_input"]
