"""Inputs that are not PDF: Office documents, e-mails, images, text.

:func:`open_input` turns a file into the intermediate PDFs to redact
(:class:`Prepared`); see :mod:`redactor.ingest.convert.inputs`.
"""

from redactor.ingest.convert.inputs import SUPPORTED, ConvertOptions, Prepared, needs_conversion, open_input

__all__ = ["SUPPORTED", "ConvertOptions", "Prepared", "needs_conversion", "open_input"]
