"""Inputs that are not PDF: Office documents, e-mails, images, text.

:func:`open_input` turns a file into the intermediate PDFs to redact
(:class:`Prepared`); see :mod:`redactor.ingest.convert.inputs`.
"""

from redactor.ingest.convert.inputs import (SUPPORTED, ConvertOptions, Prepared, needs_conversion,  # noqa: F401
                                            open_input)
