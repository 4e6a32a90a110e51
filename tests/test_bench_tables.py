"""The figure tables in the docs are the committed benchmark results, never typed by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bench import ratios, speedup
from bench import tables as bench_tables

ROOT = Path(__file__).resolve().parents[1]


def test_every_table_in_the_docs_matches_its_result_file() -> None:
    problems = bench_tables.run(ROOT, check=True)
    assert not problems, "\n".join(map(str, problems)) + "\nrun: python -m bench.tables"


def test_the_docs_carry_generated_tables() -> None:
    marked = [
        m.group("bench") + "." + m.group("table")
        for doc in bench_tables.documents(ROOT)
        if doc.exists()
        for m in bench_tables.MARKER.finditer(doc.read_text())
    ]
    assert {"retention_sweep.sweep", "records_import.import"} <= set(marked)


@pytest.fixture
def copy_of_the_docs(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "bench").mkdir()
    shutil.copy(ROOT / "bench" / "README.md", tmp_path / "bench" / "README.md")
    for doc in (ROOT / "docs").glob("*.md"):
        shutil.copy(doc, tmp_path / "docs" / doc.name)
    shutil.copytree(ROOT / "bench" / "results", tmp_path / "bench" / "results")
    return tmp_path


def test_a_table_edited_by_hand_is_found_and_regenerated(copy_of_the_docs: Path) -> None:
    doc = copy_of_the_docs / "docs" / "retention.md"
    original = doc.read_text()
    start = original.index("<!-- table: retention_sweep.sweep -->")
    edited = original[:start] + original[start:].replace("| 1", "| 9", 1)
    assert edited != original
    doc.write_text(edited)

    stale = bench_tables.run(copy_of_the_docs, check=True)
    assert [(str(p.document), p.table) for p in stale] == [
        ("docs/retention.md", "retention_sweep.sweep")
    ]
    assert bench_tables.run(copy_of_the_docs, check=False) == []
    assert doc.read_text() == original
    assert bench_tables.run(copy_of_the_docs, check=True) == []


def test_a_result_changed_after_the_tables_were_written_is_found(copy_of_the_docs: Path) -> None:
    path = copy_of_the_docs / "bench" / "results" / "records_import.json"
    result = json.loads(path.read_text())
    result["run"]["commit_short"] = "0000000"
    path.write_text(json.dumps(result))

    stale = {p.table for p in bench_tables.run(copy_of_the_docs, check=True)}
    assert stale == {"records_import.import"}


def test_a_marker_without_a_result_or_table_is_reported(copy_of_the_docs: Path) -> None:
    doc = copy_of_the_docs / "docs" / "import.md"
    doc.write_text(
        doc.read_text()
        + "\n<!-- table: no_such_bench.figures -->\n<!-- /table -->\n"
        + "\n<!-- table: records_import.no_such_table -->\n<!-- /table -->\n"
    )
    reasons = {p.table: p.reason for p in bench_tables.run(copy_of_the_docs, check=True)}
    assert reasons == {
        "no_such_bench.figures": "no result file no_such_bench.json",
        "records_import.no_such_table": "bench.records_import.tables() makes no table "
        "'no_such_table'",
    }


def test_ratio_means_times_better_than_the_peer_for_times_and_rates() -> None:
    assert speedup(2.0, 10.0, kind="time") == 5.0  # we take 2 s, the peer 10 s
    assert speedup(500.0, 100.0, kind="rate") == 5.0  # we do 500/s, the peer 100/s
    assert speedup(10.0, 2.0, kind="time") == 0.2
    with pytest.raises(ValueError, match="zero"):
        speedup(0.0, 1.0, kind="time")


def test_ratios_take_the_kind_from_the_figure_name() -> None:
    ours = {"verify_s": {"1000": 2.0}, "append_events_per_s": 300, "peak_rss_mb": 90, "n": 3}
    peer = {"verify_s": {"1000": 1.0}, "append_events_per_s": 600, "peak_rss_mb": 80, "n": 3}
    assert ratios(ours, peer) == {"verify_s": {"1000": 0.5}, "append_events_per_s": 0.5}
