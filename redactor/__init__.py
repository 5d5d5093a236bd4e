"""redactor: irreversible redaction of PDFs for UK FOI Act 2000 disclosures.

Data flows one way, one sub-package per stage: document
(:mod:`redactor.ingest`) -> text with geometry (:mod:`redactor.text`) ->
findings (:mod:`redactor.detect`) -> plan (:mod:`redactor.review`) ->
redacted PDF (:mod:`redactor.redact`) + log and schedule
(:mod:`redactor.account`), checked by :mod:`redactor.verify`.
:mod:`redactor.pipeline` runs the steps; :mod:`redactor.batch` scales them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redactor")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
