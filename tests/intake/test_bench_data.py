"""The rules benchmark's file finds exactly the faults planted in it, by our rules and by the
pandera peer alike (the benchmark asserts the same at full size; this keeps it true)."""

from __future__ import annotations

from collections import Counter

import pytest
from bench.data import intake as data

from steward.intake import datasets, reading, rules
from steward.intake.policy import FileFormat

ROWS = 1_500


@pytest.fixture(scope="module")
def made() -> data.Generated:
    return data.generate(ROWS, seed=11)


def test_every_kind_of_fault_is_planted_and_every_row_counted(made: data.Generated) -> None:
    assert set(made.planted) == set(data.FAULTS)
    assert made.data.count(b"\n") == ROWS + 1


def test_our_rules_find_exactly_the_planted_faults(made: data.Generated) -> None:
    dataset = datasets.get(data.DATASET)
    table = reading.read_table(made.data, file_format=FileFormat.CSV, dataset=dataset)
    issues = rules.check(table, dataset, today=data.TODAY)
    assert dict(Counter(i.code.value for i in issues)) == made.planted
    assert len({i.row_number for i in issues}) == sum(made.planted.values())  # one a row


def test_the_pandera_peer_finds_the_same(made: data.Generated) -> None:
    pytest.importorskip("pandera")
    from bench import intake_pandera as peer

    dataset = datasets.get(data.DATASET)
    counts = peer.validate(peer.read(made.data, dataset), dataset, data.TODAY)
    assert counts == made.planted
