"""The children that read untrusted PDFs, made fast: a warm server forks a fresh worker per
request, two workers share a document's pages, long bundles are written in parts. Each
shortcut must keep what the slow way gave: pages in order, a crash contained and reported,
numbering across parts, nothing but our own metadata."""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import pikepdf
import pytest

from steward.redaction import pdf as pdf_module
from steward.redaction.pdf import (
    Limits,
    PdfError,
    boxes_for,
    close_children,
    count_pages_pdf,
    page_texts,
    render_pages,
)
from steward.redaction.render import BundleWriter
from steward.redaction.verify import prove_absent
from tests.redaction.pdfs import pdf_text, spans_of, text_pdf

NAME = "Jane Smithers"


def _numbered(pages: int, lines: int = 3) -> bytes:
    """Page n says "Source page n" (so order is visible) and names Jane Smithers."""
    return text_pdf(
        [
            [f"Source page {n} of the file", f"Visit with {NAME} today."] * lines
            for n in range(pages)
        ]
    )


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        # A thread may end between the listing and the read (the suite's other threads come
        # and go); an ended thread has no children to report.
        try:
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(c) for c in listing.read().split()]
        except FileNotFoundError:
            continue
    return found


def _tree() -> tuple[list[int], list[int]]:
    """The processes this one started (the warm servers), and theirs (the workers)."""
    servers = _children(os.getpid())
    return servers, [w for s in servers for w in _children(s)]


def test_pages_come_in_order_whatever_the_number_of_workers() -> None:
    source = _numbered(11)
    one = list(render_pages(source, [], dpi=60, workers=1))
    three = list(render_pages(source, [], dpi=60, workers=3))
    assert [p.index for p in three] == list(range(11))
    assert [p.words for p in three] == [p.words for p in one]
    assert [p.jpeg for p in three] == [p.jpeg for p in one]
    for n, page in enumerate(three):
        assert [w[0] for w in page.words[:3]] == ["Source", "page", str(n)]


def test_a_document_shorter_than_the_workers_still_comes_whole() -> None:
    assert [p.index for p in render_pages(_numbered(1), [], dpi=60, workers=4)] == [0]


def test_a_warm_server_is_reused_and_its_workers_are_fresh() -> None:
    """Two calls, one server; each request ran in a process of its own that has ended."""
    close_children()
    source = _numbered(2)
    assert count_pages_pdf(source) == 2
    servers, workers = _tree()
    assert len(servers) == 1 and workers == []  # the server, idle: its worker has ended
    assert len(page_texts(source)) == 2
    assert _tree() == (servers, [])


def test_a_worker_killed_mid_document_fails_the_document_cleanly() -> None:
    """Pages already made come first, then PdfError with a reason; the broken server is
    ended (none is left behind), and the next document renders in full."""
    close_children()
    source = _numbered(40, lines=12)
    pages = render_pages(source, [], dpi=150, workers=2)
    got = [next(pages).index for _ in range(2)]
    time.sleep(0.5)  # both workers are now waiting on the parent, mid-document
    _, workers = _tree()
    assert len(workers) == 2, "both workers should still be running"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(PdfError) as failed:
        for page in pages:
            got.append(page.index)
    assert failed.value.reason == "time"  # killed: as the wall-clock limit would
    assert got == list(range(len(got))) and len(got) < 40
    # Nothing of the failed document lingers, and the next one is whole.
    assert _tree()[1] == []
    assert [p.index for p in render_pages(source, [], dpi=30)] == list(range(40))


def test_a_child_crash_mid_bundle_fails_the_bundle_and_leaves_no_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _numbered(30)
    original = pdf_module._Stripe._read

    def crash_after_some(self: pdf_module._Stripe) -> None:
        if self._header["stripe"][0] == 1:  # the second worker fails on its first page
            self._header = {**self._header, "boxes": {"1": [["not a number"]]}}
        original(self)

    monkeypatch.setattr(pdf_module._Stripe, "_read", crash_after_some)
    writer = BundleWriter(io.BytesIO(), total_pages=30, dpi=60, part_pages=4)
    with pytest.raises(PdfError):
        writer.add_pdf(source, [])
    assert writer.pages == 1  # page 0 drawn; page 1 never came
    scratch = writer._scratch
    assert scratch is not None and Path(scratch.name).exists()
    writer.discard()
    assert not Path(scratch.name).exists()


def test_a_time_out_in_a_warm_server_is_contained() -> None:
    source = _numbered(60, lines=12)
    with pytest.raises(PdfError) as failed:
        list(render_pages(source, [], dpi=300, limits=Limits(wall_seconds=0.3)))
    assert failed.value.reason == "time"
    assert count_pages_pdf(source) == 60  # the next call gets a fresh server


def test_a_bundle_in_parts_is_one_pdf_numbered_throughout(tmp_path: Path) -> None:
    """Written in parts of 3 pages and joined: every page in order, "Page n of N" right,
    the name gone, and no metadata but ours."""
    first, second = _numbered(5), _numbered(4)
    total = count_pages_pdf(first) + count_pages_pdf(second)
    out = tmp_path / "bundle.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(stream, total_pages=total, dpi=60, part_pages=3, title="Bundle")
        for source in (first, second):
            texts = page_texts(source)
            boxes = boxes_for(source, {p: spans_of(t, NAME) for p, t in enumerate(texts)})
            writer.add_pdf(source, boxes)
        assert writer.parts == 3
        writer.close()
    pages = pdf_text(out)
    assert len(pages) == total
    expected = [*range(5), *range(4)]
    for n, (text, source_page) in enumerate(zip(pages, expected, strict=True), start=1):
        assert f"Page {n} of {total}" in text
        assert f"Source page {source_page} of the file" in text
        assert "Visit with" in text
    assert prove_absent(out, [NAME, "Smithers"]) == []
    with pikepdf.open(out) as joined:
        info = {str(k): str(v) for k, v in joined.docinfo.items()}
    assert info["/Title"] == "Bundle" and info["/Author"] == ""
    assert info["/Creator"] == info["/Producer"] == "Steward"
    assert set(info) <= {*ours_only(), "/CreationDate", "/ModDate", "/Trapped"}


def ours_only() -> set[str]:
    return {"/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer"}


def test_the_text_layer_keeps_words_that_need_escaping_or_another_encoding(
    tmp_path: Path,
) -> None:
    line = r"Zoë (née Brown) said a\b {size} café"
    source = text_pdf([[line]])
    out = tmp_path / "bundle.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(stream, total_pages=1, dpi=60)
        writer.add_pdf(source, [])
        writer.close()
    assert line in pdf_text(out)[0]
