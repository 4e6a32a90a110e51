"""docs/intake.md cannot drift from the code: its data set tables, its table of checks and
its data quality definitions are exactly what tests/intake/intake_docs.py writes from the
data sets' YAML, policy and the quality service; and every example file reads with its data
set's own columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from steward.intake import datasets
from steward.intake.policy import CODE_TITLES, CONSEQUENCE, MESSAGES, Code
from steward.intake.service.quality import DEFINITIONS
from tests.intake import intake_docs

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "intake"
# Each example file, its data set, and how many data rows it has.
EXAMPLE_FILES = {
    "party_details.csv": ("party_details", 14),
    "safeguarding_checks.json": ("safeguarding_checks", 4),
    "court_orders.csv": ("court_orders", 5),
}
FIX = "run: PYTHONPATH=src .venv/bin/python -m tests.intake.intake_docs"


@pytest.fixture(scope="module")
def page() -> str:
    return intake_docs.DOC.read_text(encoding="utf-8")


def test_each_generated_part_is_on_the_page_once(page: str) -> None:
    found = intake_docs.blocks_in(page)
    assert sorted(found) == sorted(intake_docs.BLOCKS)
    for name in intake_docs.BLOCKS:
        assert page.count(f"<!-- generated: {name} -->") == 1, name


@pytest.mark.parametrize("name", sorted(intake_docs.BLOCKS))
def test_the_page_says_what_the_code_says(page: str, name: str) -> None:
    assert intake_docs.blocks_in(page)[name] == intake_docs.BLOCKS[name](), FIX


def test_every_field_of_every_data_set_is_listed_exactly(page: str) -> None:
    """Independent of the writer: each data set's table lists its columns, in its order,
    and nothing else."""
    block = intake_docs.blocks_in(page)["datasets"]
    for name, dataset in datasets.latest().items():
        section = block.split(f"(`{name}`, version {dataset.version})", 1)[1].split("####")[0]
        listed = [
            line.split("|")[1].strip().strip("`")
            for line in section.splitlines()
            if line.startswith("| `")
        ]
        assert listed == list(dataset.columns), name
        for field in dataset.fields:
            for choice in field.choices:
                assert f"`{choice}`" in section, (name, field.name, choice)


def test_every_code_is_listed_with_its_title_consequence_and_message(page: str) -> None:
    block = intake_docs.blocks_in(page)["codes"]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip().strip("`") for row in rows] == [c.value for c in Code]
    for row, code in zip(rows, Code, strict=True):
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert cells[1] == CODE_TITLES[code]
        assert cells[2] == intake_docs.CONSEQUENCE_WORDS[CONSEQUENCE[code]]
        assert cells[3] == MESSAGES[code]


def test_every_quality_definition_is_given(page: str) -> None:
    block = intake_docs.blocks_in(page)["quality_definitions"]
    for key, text in DEFINITIONS.items():
        assert f"(`{key}`): {text}" in block, key


def test_the_writer_puts_a_changed_page_right() -> None:
    """The check can fail: a stale table is found, and the writer restores it."""
    page = intake_docs.DOC.read_text(encoding="utf-8")
    stale = page.replace("| `file.empty` | Empty file |", "| `file.empty` | Nothing |", 1)
    assert stale != page
    assert intake_docs.blocks_in(stale)["codes"] != intake_docs.codes_block()
    assert intake_docs.rewritten(stale) == page


def _header_and_rows(path: Path) -> tuple[list[str], int]:
    data = path.read_bytes()
    text = data.decode("utf-8")  # UTF-8, as the data sets ask
    if path.suffix == ".json":
        rows = json.loads(text)
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
        keys = list(rows[0])
        assert all(list(r) == keys for r in rows), "every object has the same keys"
        return keys, len(rows)
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(r) == len(records[0]) for r in records), "every record as wide as the header"
    return records[0], len(records) - 1


@pytest.mark.parametrize("name", sorted(EXAMPLE_FILES))
def test_each_example_has_its_data_sets_columns(name: str) -> None:
    dataset_name, rows = EXAMPLE_FILES[name]
    header, count = _header_and_rows(EXAMPLES / name)
    assert header == list(datasets.get(dataset_name).columns)
    assert count == rows
    assert name in intake_docs.DOC.read_text(encoding="utf-8")


def test_the_examples_folder_holds_exactly_the_listed_files() -> None:
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(EXAMPLE_FILES)


@pytest.mark.parametrize("name", sorted(EXAMPLE_FILES))
def test_each_example_reads_as_intake_reads_it(name: str) -> None:
    """Through intake's own reader, once it is in the tree: the same columns and rows."""
    reading = pytest.importorskip("steward.intake.reading")
    dataset_name, rows = EXAMPLE_FILES[name]
    data = (EXAMPLES / name).read_bytes()
    dataset = datasets.get(dataset_name)
    table = reading.read_table(data, file_format=reading.detect_format(name, data), dataset=dataset)
    assert list(table.columns) == list(dataset.columns)
    assert table.height == rows
