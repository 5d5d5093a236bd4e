"""redactor: irreversible redaction of PDFs for UK FOI Act 2000 disclosures.

Data flows one way: document -> text with geometry (:mod:`redactor.extract`)
-> findings (:mod:`redactor.detect`) -> plan (:mod:`redactor.plan`) ->
redacted PDF (:mod:`redactor.apply`, :mod:`redactor.sanitize`) + log
(:mod:`redactor.audit`), checked by :mod:`redactor.verify`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redactor")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
