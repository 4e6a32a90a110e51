"""Text out of documents, for search: PDFs (pypdfium2), Word (lxml), images (Tesseract).

Every extraction runs in a child process of its own (extraction_child.py) with hard limits on
memory, CPU time and wall-clock time, and format bounds checked before parsing: a hostile file
can end that child, never this process. Callers must not hold a database transaction open
while it runs (see records.service.extraction).

Extraction never fails an upload: a file whose text cannot be read is still kept, with a
status and a note saying why it is not searchable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from steward.records import policy

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 2_000_000
CHILD = Path(__file__).with_name("extraction_child.py")

UNREADABLE = "The text of this file could not be read, so it is not searchable."
# Why a file was out of bounds, as a person reads it (codes come from the child).
BOUND_REASONS = {
    "parts": "it has too many parts",
    "inflated_size": "it is too large once decompressed",
    "compression_ratio": "it is compressed beyond any real document",
    "xml_depth": "its content is nested too deeply",
    "xml_elements": "its content has too many elements",
    "xml_size": "a part of its content is too large to read",
    "image_pixels": "the image has too many pixels",
    "memory": "reading it needed too much memory",
    "time": "reading it took too long",
}


class ExtractionStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED_BOUNDS = "failed_bounds"
    FAILED = "failed"


@dataclass(frozen=True)
class Limits:
    """What one extraction may use. Sized for a 25 MB upload of a real document: a 500-page
    report, a 50-page scan at 300 dpi, an A3 plan at 400 dpi."""

    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 120
    wall_seconds: float = 180.0
    ocr_seconds: float = 150.0
    max_parts: int = 2_000
    max_inflated_bytes: int = 256 * 1024 * 1024
    max_compression_ratio: int = 200
    max_xml_depth: int = 128
    max_xml_elements: int = 2_000_000
    max_image_pixels: int = 50_000_000
    max_ocr_pages: int = 50
    max_pdf_pages: int = 2_000
    max_text_chars: int = MAX_TEXT_CHARS


@dataclass(frozen=True)
class Outcome:
    status: ExtractionStatus
    text: str = ""
    note: str | None = None
    reason: str | None = None  # a code, never content
    applied: dict[str, int] = field(default_factory=dict)  # the limits the child ran under


def note_for(status: ExtractionStatus, reason: str | None) -> str | None:
    if status is ExtractionStatus.FAILED_BOUNDS:
        why = BOUND_REASONS.get(reason or "", "it is beyond the limits for reading text")
        return (
            f"The text of this file could not be extracted because {why}, so it is not searchable."
        )
    if status is ExtractionStatus.FAILED:
        return UNREADABLE
    return None


def extract_text(media_type: str, data: bytes) -> tuple[str, str | None]:
    """The document's text and, when it is incomplete, a note saying why."""
    outcome = run_isolated(media_type, data)
    return outcome.text, outcome.note


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def run_isolated(media_type: str, data: bytes, limits: Limits | None = None) -> Outcome:
    """Extract in a child process under ``limits``; whatever the file does, this returns."""
    limits = limits or Limits()
    settings: dict[str, Any] = asdict(limits)
    if media_type in (policy.PNG, policy.JPEG, policy.TIFF):
        settings["tesseract"] = shutil.which("tesseract")
        if settings["tesseract"] is None:
            log.warning("tesseract is not installed: scanned images are stored but not searchable")
    header = json.dumps({"media_type": media_type, "limits": settings}).encode() + b"\n"
    child = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments; data on stdin
        [sys.executable, "-I", str(CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a traceback could quote the file; it is not kept
        env=_child_environment(),
        start_new_session=True,  # its own process group: a timeout ends Tesseract too
    )
    try:
        out, _ = child.communicate(header + data, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _end_group(child)
        return _bounded("time")
    return _outcome(child.returncode, out)


def _outcome(returncode: int, out: bytes) -> Outcome:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return _bounded("time")
    if returncode != 0:
        # Python ends with status 1 when an allocation fails where it cannot be caught.
        log.warning("text extraction child ended with status %s", returncode)
        return Outcome(ExtractionStatus.FAILED, note=UNREADABLE, reason="child_exited")
    result = json.loads(out)
    status = ExtractionStatus(result["status"])
    if status is not ExtractionStatus.DONE:
        log.warning(
            "text extraction %s: %s", status.value, result.get("error") or result.get("reason")
        )
        return Outcome(
            status,
            note=note_for(status, result.get("reason")),
            reason=result.get("reason"),
            applied=result.get("applied", {}),
        )
    return Outcome(
        status, text=result["text"], note=result["note"], applied=result.get("applied", {})
    )


def _bounded(reason: str) -> Outcome:
    log.warning("text extraction %s: %s", ExtractionStatus.FAILED_BOUNDS.value, reason)
    return Outcome(
        ExtractionStatus.FAILED_BOUNDS,
        note=note_for(ExtractionStatus.FAILED_BOUNDS, reason),
        reason=reason,
    )


def _end_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()


def _child_environment() -> dict[str, str]:
    """Only what the child needs: where Tesseract and its data are, one thread for
    Tesseract (its thread pools would otherwise reserve memory past the child's limit)."""
    keep = ("PATH", "TESSDATA_PREFIX", "TMPDIR", "LANG", "LC_ALL")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["OMP_THREAD_LIMIT"] = "1"
    return env
