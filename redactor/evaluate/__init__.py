"""``redactor eval``: how well detection does, on data the rules were not
tuned on.

* :mod:`redactor.evaluate.corpus`: a generated corpus with ground truth
  (``corpora/generate.py``, the train phrasebook, or
  ``corpora/phrasebook.py``, the independent test phrasebook): findings and
  redacted PDFs scored per category;
* :mod:`redactor.evaluate.realtext`: person mentions in real text (the Text
  Anonymization Benchmark's court judgments), beside Microsoft Presidio's
  default analyzer when it is installed.
"""

from redactor.evaluate.corpus import (GROUPS, NEUTRAL_TARGET, STRUCTURED, Counts, EvalResult, evaluate,
                                      render_table)

__all__ = ["GROUPS", "NEUTRAL_TARGET", "STRUCTURED", "Counts", "EvalResult", "evaluate", "render_table"]
