"""The default size limits of an input, apart from the code that opens it:
``--help`` shows them without importing PyMuPDF and pikepdf (start-up,
issue 14). :class:`redactor.ingest.document.Limits` uses them."""

DEFAULT_MAX_PAGES = 10_000
DEFAULT_MAX_BYTES = 2 * 1024**3
