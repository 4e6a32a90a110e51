"""Time and memory of building a disclosure bundle from source PDFs, redacted for real.

Work, as the bundle job does it: for each source PDF the first pass (``count_pages_pdf``) for
"Page n of N", the boxes of its spans (``boxes_for``), then ``BundleWriter.add_pdf`` for each
(rasterise in the limited child with the boxes filled, draw the image, the invisible text layer
of the kept words and the code labels), and ``close``. The proof (``prove_absent`` for every
redacted name) is the job's last gate and is timed on its own.

Data: ``DOCUMENTS`` generated PDFs of ``PAGES_PER_DOC`` pages (1,000 pages), 45 lines a page
in the style of case notes, with ``SPANS_PER_PAGE`` third-party names a page to redact (5,000
redactions). Made with reportlab from a fixed seed before the clock starts.

Memory: the peak RSS of the process building the bundle (run in a process of its own, so the
figure is the build's alone) and of the largest rasterising child (the warm servers are
ended before it is read, so their workers are counted).

The children: one warm server per worker forks a fresh, limited process for each request
(``steward.redaction.pdf``); ``workers`` (the default: one a core, at most two) render every
n-th page of a document at once while this process draws them in order; bundles longer than
``PART_PAGES`` are written in parts and joined.

No peer: no permissive library redacts PDFs for real (the plan, §2). The goal is absolute:
1,000 pages in ≤ 60 s and ≤ 1 GB.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import log

SEED = 12
DOCUMENTS, QUICK_DOCUMENTS = 40, 4
PAGES_PER_DOC = 25
SPANS_PER_PAGE = 5
LINES_PER_PAGE = 45
GOAL_S = 60.0
GOAL_MB = 1024
DPIS = (120, 150)
FIRST = ["Jane", "Dean", "Aisha", "Tomasz", "Bethany", "Kwame", "Siobhan", "Ravi", "Niamh"]
LAST = ["Smithers", "Marsh", "Okafor", "Kowalski", "Pritchard", "Mensah", "Doyle", "Patel"]
WORDS = [
    "the",
    "family",
    "support",
    "worker",
    "visited",
    "home",
    "today",
    "and",
    "discussed",
    "school",
    "attendance",
    "with",
    "mother",
    "who",
    "reported",
    "that",
    "contact",
    "arrangements",
    "were",
    "working",
    "well",
    "although",
    "there",
    "were",
    "concerns",
    "about",
    "housing",
    "and",
    "the",
    "health",
    "visitor",
    "will",
    "follow",
    "up",
    "next",
    "week",
]


def _source(rng: random.Random) -> tuple[bytes, list[str]]:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    names: list[str] = []
    for _ in range(PAGES_PER_DOC):
        canvas.setFont("Helvetica", 10)
        with_name = set(rng.sample(range(LINES_PER_PAGE), SPANS_PER_PAGE))
        for n in range(LINES_PER_PAGE):
            words = rng.choices(WORDS, k=11)
            if n in with_name:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                words.insert(rng.randrange(3, 9), name)
                names.append(name)
            canvas.drawString(56, 790 - n * 16.5, " ".join(words) + ".")
        canvas.showPage()
    canvas.save()
    return out.getvalue(), names


def _spans(pdf: bytes) -> dict[int, list[Any]]:
    from steward.redaction.pdf import page_texts
    from steward.redaction.spans import Code, Label, Span

    spans: dict[int, list[Any]] = {}
    for page, text in enumerate(page_texts(pdf)):
        for first in FIRST:
            at = text.find(first + " ")
            while at >= 0:
                end = text.index(" ", at + len(first) + 1)
                spans.setdefault(page, []).append(
                    Span(at, end, Label.NAME, Code.THIRD_PARTY, "bench")
                )
                at = text.find(first + " ", end)
    return spans


def _build(work: Path, dpi: int) -> dict[str, Any]:
    """In a process of its own: the bundle built from the sources in ``work``, timed."""
    from steward.redaction.pdf import WORKERS, boxes_for, close_children, count_pages_pdf
    from steward.redaction.render import PART_PAGES, BundleWriter
    from steward.redaction.verify import prove_absent

    sources = sorted(work.glob("source-*.pdf"))
    spans = json.loads((work / "spans.json").read_text())
    needles = json.loads((work / "needles.json").read_text())
    from steward.redaction.spans import Code, Label, Span

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    datas = [s.read_bytes() for s in sources]
    total = sum(count_pages_pdf(d) for d in datas)
    t_count = time.perf_counter()
    plans = []
    for data, doc_spans in zip(datas, spans, strict=True):
        by_page = {
            int(p): [Span(a, b, Label.NAME, Code.THIRD_PARTY, "") for a, b in v]
            for p, v in doc_spans.items()
        }
        plans.append(boxes_for(data, by_page))
    t_boxes = time.perf_counter()
    out_path = work / f"bundle-{dpi}.pdf"
    with out_path.open("wb") as out:
        writer = BundleWriter(out, total_pages=total, dpi=dpi)
        for data, boxes in zip(datas, plans, strict=True):
            writer.add_pdf(data, boxes)
        writer.close()
    t_render = time.perf_counter()
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    close_children()  # the servers' peak (their workers' too) counts once they have ended
    leaks = prove_absent(out_path, needles)
    t_proof = time.perf_counter()
    return {
        "pages": total,
        "boxes": sum(len(p) for p in plans),
        "build_s": round(t_render - t0, 2),
        "first_pass_s": round(t_count - t0, 2),
        "boxes_s": round(t_boxes - t_count, 2),
        "render_s": round(t_render - t_boxes, 2),
        "proof_s": round(t_proof - t_render, 2),
        "pages_per_s": round(total / (t_render - t0), 1),
        "leaks": len(leaks),
        "output_mb": round(out_path.stat().st_size / 2**20, 1),
        "parent_peak_rss_build_mb": round(build_rss / 1024),
        "parent_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "parent_rss_before_mb": round(base_rss / 1024),
        "child_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "workers": WORKERS,
        "parts": writer.parts,
        "part_pages": PART_PAGES,
    }


def _prepare(work: Path, documents: int) -> tuple[int, int]:
    rng = random.Random(SEED)
    all_spans, needles = [], set()
    for n in range(documents):
        pdf, names = _source(rng)
        (work / f"source-{n:03d}.pdf").write_bytes(pdf)
        spans = _spans(pdf)
        all_spans.append({p: [[s.start, s.end] for s in v] for p, v in spans.items()})
        needles.update(names)
    (work / "spans.json").write_text(json.dumps(all_spans))
    (work / "needles.json").write_text(json.dumps(sorted(needles)))
    return documents * PAGES_PER_DOC, sum(len(v) for d in all_spans for v in d.values())


def run(quick: bool) -> dict[str, Any]:
    documents = QUICK_DOCUMENTS if quick else DOCUMENTS
    dpis = [int(d) for d in os.environ.get("BENCH_BUNDLE_DPI", ",".join(map(str, DPIS))).split(",")]
    ours: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-bundle-") as tmp:
        work = Path(tmp)
        pages, spans = _prepare(work, documents)
        log(f"bundle: {documents} documents, {pages} pages, {spans} spans generated")
        for dpi in dpis:
            done = subprocess.run(  # noqa: S603 - this module, fixed arguments
                [sys.executable, "-m", "bench.bundle", str(work), str(dpi)],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[1],
                env={**os.environ},
            )
            ours[f"dpi_{dpi}"] = json.loads(done.stdout)
            log(f"bundle: dpi {dpi}: {ours[f'dpi_{dpi}']}")
    best = min(ours.values(), key=lambda r: r["build_s"])
    return {
        "ours": ours,
        "peer": None,
        "ratio": None,
        "goal": {"build_s": GOAL_S, "peak_rss_mb": GOAL_MB},
        "meets_goal": {
            "build_s": best["build_s"] <= GOAL_S if not quick else None,
            "peak_rss_mb": all(
                max(r["parent_peak_rss_mb"], r["child_peak_rss_mb"]) <= GOAL_MB
                for r in ours.values()
            ),
        },
        "sizes": {"documents": documents, "pages": pages, "redactions": spans},
        "seeds": {"data": SEED},
    }


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown

    header = [
        "dpi",
        "Pages",
        "Redactions",
        "Build s",
        "Proof s",
        "Pages/s",
        "Peak parent MB",
        "Peak child MB",
        "Output MB",
        "Leaks",
    ]
    rows = []
    for key, r in sorted(result["ours"].items(), key=lambda kv: int(kv[0].split("_")[1])):
        rows.append(
            [
                key.split("_")[1],
                figure(r["pages"], 0),
                figure(r["boxes"], 0),
                figure(r["build_s"], 1),
                figure(r["proof_s"], 1),
                figure(r["pages_per_s"], 1),
                figure(r["parent_peak_rss_build_mb"], 0),
                figure(r["child_peak_rss_mb"], 0),
                figure(r["output_mb"], 1),
                figure(r["leaks"], 0),
            ]
        )
    return {"build": markdown(header, rows)}


if __name__ == "__main__":
    print(json.dumps(_build(Path(sys.argv[1]), int(sys.argv[2]))))
