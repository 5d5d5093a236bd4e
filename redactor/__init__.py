"""redactor: irreversible redaction of PDFs for UK FOI Act 2000 disclosures.

Data flows one way, one sub-package per stage: document
(:mod:`redactor.ingest`) -> text with geometry (:mod:`redactor.text`) ->
findings (:mod:`redactor.detect`) -> plan (:mod:`redactor.review`) ->
redacted PDF (:mod:`redactor.redact`) + log and schedule
(:mod:`redactor.account`), checked by :mod:`redactor.verify`.
:mod:`redactor.pipeline` runs the steps; :mod:`redactor.batch` scales them.
"""

#: The one place the version is written: the wheel's metadata is read from
#: here (``[tool.hatch.version]`` in pyproject.toml). Asking
#: ``importlib.metadata`` instead costs a tenth of a second at every start
#: (issue 14).
__version__ = "0.1.0"

__all__ = ["__version__"]
