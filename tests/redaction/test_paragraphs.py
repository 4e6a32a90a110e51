"""The benchmark's paragraph generator: its gold is what every redaction figure is scored on, so
a gold span that does not sit on its text, or overlaps another, would make the figures lie."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from bench.data.paragraphs import detector_input, generate, nhs_number, nino

from steward.redaction.context import context_from_json
from steward.redaction.spans import Label, Role

LABELS = {label.value for label in Label}
ROLES = {Role.REQUESTER.value, Role.THIRD_PARTY.value, Role.PROFESSIONAL.value}


@pytest.fixture(scope="module", params=["A", "B"])
def items(request: pytest.FixtureRequest) -> list[dict]:
    return generate(200, seed=7, template_set=request.param)


def test_same_seed_gives_the_same_bytes() -> None:
    first = json.dumps(generate(30, seed=11, template_set="B"), sort_keys=True)
    again = json.dumps(generate(30, seed=11, template_set="B"), sort_keys=True)
    other = json.dumps(generate(30, seed=12, template_set="B"), sort_keys=True)
    assert first == again
    assert first != other


def test_every_gold_span_sits_on_its_text_and_none_overlap(items: list[dict]) -> None:
    for item in items:
        last_end = 0
        for g in sorted(item["gold"], key=lambda g: g["start"]):
            assert item["text"][g["start"] : g["end"]] == g["text"], item["id"]
            assert g["text"] == g["text"].strip()
            assert g["start"] >= last_end, f"{item['id']}: gold spans overlap"
            assert g["label"] in LABELS and g["role"] in ROLES
            last_end = g["end"]


def test_input_is_what_redact_detect_reads(items: list[dict]) -> None:
    for item in items:
        line = detector_input(item)
        assert "gold" not in line
        ctx = context_from_json(line)
        assert ctx.requester is not None and ctx.requester.names


def test_the_hard_cases_all_occur(items: list[dict]) -> None:
    labels = Counter((g["role"], g["label"]) for item in items for g in item["gold"])
    for role in ("requester", "third_party"):
        for label in (
            "NAME",
            "ADDRESS",
            "PHONE",
            "EMAIL",
            "NHS_NUMBER",
            "NI_NUMBER",
            "DATE_OF_BIRTH",
        ):
            assert labels[role, label] > 0, (role, label)
    assert labels["third_party", "IDENTIFIER"] > 0
    assert labels["third_party", "POSTCODE"] > 0
    assert labels["professional", "NAME"] > 0 and labels["professional", "PHONE"] > 0
    texts = [g["text"] for item in items for g in item["gold"]]
    assert any("\n" in t and "@" not in t for t in texts)  # across a line break
    assert any(t.startswith("+44 (0)") for t in texts)
    assert any(
        item.get("parties") and any(p.get("address_withheld") for p in item["parties"])
        for item in items
    )
    joined = " ".join(item["text"] for item in items)
    for negative in ("GP", "NHS", "Cafcass"):
        assert negative in joined


def test_unknown_people_are_never_in_the_context(items: list[dict]) -> None:
    for item in items:
        known = " ".join(
            n for p in [item["requester"], *item["parties"]] for n in p.get("names", [])
        )
        for marker in ("A neighbour, ", "a man called ", "A man called "):
            at = item["text"].find(marker)
            if at >= 0:
                name = next(g for g in item["gold"] if g["start"] >= at + len(marker))
                assert name["role"] == "third_party"
                assert name["text"] not in known


def test_identifier_checksums() -> None:
    from random import Random

    from stdnum.gb import nhs

    rng = Random(3)
    assert all(nhs.is_valid(nhs_number(rng, valid=True)) for _ in range(200))
    assert not any(nhs.is_valid(nhs_number(rng, valid=False)) for _ in range(200))
    bad = {nino(rng, valid=False)[:2] for _ in range(200)}
    good = {nino(rng, valid=True)[:2] for _ in range(500)}
    assert not bad & good
    assert not {p for p in good if p[0] in "DFIQUV" or p[1] in "DFIQUVO"}
