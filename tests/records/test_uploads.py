"""Upload rules: the real type comes from the bytes, names cannot steer a path or a formula,
and a refused upload leaves nothing behind (no document, no search entry, no audit event)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.records import policy, service
from steward.records.models import Document, DocumentContent, DocumentKind, SearchEntry
from steward.records.schemas import DocumentMeta
from tests.factories.records import make_case
from tests.records import samples

# --- sniffing: accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: samples.pdf("Report to court"), policy.PDF),
        (lambda: samples.docx("Case note"), policy.DOCX),
        (lambda: samples.png("SCAN"), policy.PNG),
        (lambda: samples.jpeg("SCAN"), policy.JPEG),
        (lambda: samples.tiff("SCAN"), policy.TIFF),
        (lambda: b"Visit note: the children were well.\r\n", policy.TEXT),
        (lambda: "Zoë visited Łódź — café 🙂\n".encode(), policy.TEXT),
        (lambda: b"\xef\xbb\xbfText saved by Notepad with a byte-order mark", policy.TEXT),
        (lambda: b"Pasted from Word:\x0bline two\tcolumn\x0cnext page", policy.TEXT),
        (lambda: b"a < b, and <p is not a tag here", policy.TEXT),
        (lambda: b"if x < b > y then; From: Sam <sam@example.org>", policy.TEXT),
    ],
    ids=[
        "pdf",
        "docx",
        "png",
        "jpeg",
        "tiff",
        "ascii",
        "unicode",
        "bom",
        "controls",
        "angle",
        "not-tags",
    ],
)
def test_real_files_are_recognised_by_their_bytes(make: object, expected: str) -> None:
    assert callable(make)
    assert policy.sniff_media_type(make()) == expected


def test_the_type_ignores_what_the_name_or_the_browser_claims() -> None:
    # sniff_media_type takes bytes only: a PDF called "x.txt" is a PDF.
    data = samples.pdf("hello")
    assert policy.sniff_media_type(data) == policy.PDF
    assert policy.safe_filename("x.txt", policy.sniff_media_type(data)) == "x.pdf"


# --- sniffing: refused ----------------------------------------------------------------

GENERIC = "This type of file cannot be added"
MARKUP = "This file contains web page markup"
NOT_UTF8 = "This text file is not saved as UTF-8"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", MARKUP),
        (b"  \n<html><script>fetch('/api/v1/cases')</script>", MARKUP),
        (b"\xef\xbb\xbf<html><body onload=alert(1)>", MARKUP),
        (b"<!-- report --><html><script>alert(1)</script>", MARKUP),
        (b"<body onload=alert(1)>", MARKUP),
        (b"<iframe src=https://evil.example/>", MARKUP),
        (b"<script>alert(document.cookie)</script>", MARKUP),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', MARKUP),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', MARKUP),
        (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"><svg onload=alert(1)/>', MARKUP),
        (b'<meta http-equiv="refresh" content="0;url=https://evil.example">', MARKUP),
        (b"Visit note.\nThe mother said <img src=x onerror=alert(1)> twice.", MARKUP),
        (b"Notes\n" * 2000 + b"<a href='https://evil.example'>click</a>", MARKUP),
        (b"Plain words then <svg:svg xmlns:svg='http://www.w3.org/2000/svg'>", MARKUP),
        (b"an unclosed <details open ontoggle=alert(1)", MARKUP),
        (b"<?php echo 1; ?>", MARKUP),
        (samples.ELF, GENERIC),
        (b"\x7fELF\x02\x01\x01\x03" + b"\x01" * 40, GENERIC),  # no NUL, still binary
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", GENERIC),  # a Windows executable
        (bytes(range(256)) * 4, GENERIC),
        (b"\xff\xfeU\x00T\x00F\x00-\x001\x006\x00", NOT_UTF8),  # UTF-16: re-save as UTF-8
        (b"caf\xe9 in Latin-1", NOT_UTF8),
        (b"Visit note \x96 the child\x92s school, \x93fine\x94.\r\n", NOT_UTF8),  # cp1252
    ],
    ids=[
        "empty",
        "html",
        "html-after-whitespace",
        "html-after-bom",
        "html-after-comment",
        "body-tag",
        "iframe",
        "script",
        "svg",
        "svg-xml",
        "doctype-svg",
        "meta",
        "img-onerror-mid-file",
        "link-far-in",
        "prefixed-svg",
        "unclosed-handler",
        "processing-instruction",
        "elf",
        "elf-no-nul",
        "exe",
        "random-binary",
        "utf16",
        "latin1",
        "cp1252",
    ],
)
def test_refused_content_is_named_in_a_message_a_person_can_act_on(
    data: bytes, message: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        policy.sniff_media_type(data)
    assert raised.value.message.startswith(message)
    assert raised.value.errors["file"]


def test_html_named_pdf_is_refused() -> None:
    html = b"<html><head><title>Report</title></head><body><script>x()</script></body></html>"
    with pytest.raises(ValidationFailed, match=r"markup.*PDF"):
        policy.sniff_media_type(html)


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    with pytest.raises(ValidationFailed, match=GENERIC):
        policy.sniff_media_type(samples.plain_zip())


def test_a_macro_enabled_word_file_is_refused_saying_why() -> None:
    with pytest.raises(ValidationFailed) as raised:
        policy.sniff_media_type(samples.docm("Enable content to view this document"))
    assert "macros" in raised.value.message
    assert ".docx" in raised.value.message  # says what to upload instead


def test_a_truncated_word_file_is_refused() -> None:
    data = samples.docx("Case note")
    with pytest.raises(ValidationFailed, match=GENERIC):
        policy.sniff_media_type(data[: len(data) // 2])


# --- file names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("../../etc/passwd", policy.TEXT, "passwd.txt"),
        ("/etc/shadow", policy.TEXT, "shadow.txt"),
        ("..\\..\\Windows\\System32\\cmd.exe", policy.PDF, "cmd.pdf"),
        ("C:\\Users\\alex\\Desktop\\Report to court.PDF", policy.PDF, "Report to court.pdf"),
        ("\\\\fileserver\\share\\note.docx", policy.DOCX, "note.docx"),
        ("report.pdf.exe", policy.PDF, "report.pdf.pdf"),
        ("photo.jpeg", policy.PNG, "photo.png"),
        (".bashrc", policy.TEXT, "document.txt"),
        ("...", policy.TEXT, "document.txt"),
        ("", policy.PDF, "document.pdf"),
        (None, policy.JPEG, "document.jpg"),
        ("   ", policy.TIFF, "document.tif"),
        ("Zoë Łukasiewicz \u2013 statement.docx", policy.DOCX, "Zoë Łukasiewicz _ statement.docx"),
        ("ﬁle.pdf", policy.PDF, "file.pdf"),  # NFKC: the ligature becomes plain letters
        ("x..y.pdf", policy.PDF, "x.y.pdf"),
        ("=cmd|' /C calc'!A0.csv", policy.TEXT, "C calc_A0.txt"),
        ("=HYPERLINK(1).csv", policy.TEXT, "HYPERLINK(1).txt"),
        ("+SUM(A1)|x.txt", policy.TEXT, "SUM(A1)_x.txt"),
        ("@cmd.txt", policy.TEXT, "cmd.txt"),
        ("-rf --no-preserve-root.txt", policy.TEXT, "rf --no-preserve-root.txt"),
        ("note\r\nSet-Cookie: a=b.txt", policy.TEXT, "note_Set-Cookie_ a_b.txt"),
        ("evil\u202egpj.exe", policy.PDF, "evil_gpj.pdf"),  # right-to-left override
        ('quote"semi;colon.txt', policy.TEXT, "quote_semi_colon.txt"),
    ],
)
def test_safe_filename(name: str | None, media_type: str, expected: str) -> None:
    assert policy.safe_filename(name, media_type) == expected


def test_very_long_names_are_cut_without_leaving_dots_before_the_extension() -> None:
    assert policy.safe_filename("a" * 500 + ".pdf", policy.PDF) == "a" * 120 + ".pdf"
    # A cut that would end on a dot or space is tidied, so no "name..pdf".
    cut = policy.safe_filename("a" * 119 + ". b" * 50 + ".pdf", policy.PDF)
    assert cut == "a" * 119 + ".pdf"
    assert len(policy.safe_filename("é" * 500, policy.DOCX)) == 120 + len(".docx")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@given(
    name=st.one_of(st.none(), st.text(max_size=400)),
    media_type=st.sampled_from(policy.ACCEPTED_TYPES),
)
def test_safe_filename_property(name: str | None, media_type: str) -> None:
    result = policy.safe_filename(name, media_type)
    extension = policy.EXTENSIONS[media_type]
    assert result.endswith(extension)
    assert "/" not in result and "\\" not in result
    assert ".." not in result
    assert not _CONTROL.search(result)
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in result)
    assert not result.startswith((".", "-", " ", "=", "+", "@"))
    assert len(result) <= 120 + len(extension)
    assert result == policy.safe_filename(result, media_type)  # stable on its own output


@given(
    parts=st.lists(
        st.sampled_from(["..", ".", "", "etc", "passwd", "C:", "~", "%2e%2e", "\u2025", "\uff0f"]),
        min_size=1,
        max_size=8,
    ),
    separators=st.lists(st.sampled_from(["/", "\\", "\uff0f", "\u2215"]), min_size=8, max_size=8),
)
def test_no_path_survives_in_a_name(parts: list[str], separators: list[str]) -> None:
    name = "".join(p + s for p, s in zip(parts, separators, strict=False))
    result = policy.safe_filename(name, policy.PDF)
    assert "/" not in result and "\\" not in result and ".." not in result
    assert result.endswith(".pdf") and not result.startswith(".")


# --- through the service: a refused upload leaves nothing -----------------------------


def _meta(title: str) -> DocumentMeta:
    return DocumentMeta(title=title, kind=DocumentKind.CASE_NOTE, created_on=date(2024, 3, 1))


def _footprint(db: Session, case_id: int) -> tuple[int, int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Document).where(Document.case_id == case_id))
        or 0,
        db.scalar(select(func.count()).select_from(DocumentContent)) or 0,
        db.scalar(
            select(func.count()).select_from(SearchEntry).where(SearchEntry.case_id == case_id)
        )
        or 0,
        db.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def _assert_refused_and_nothing_stored(
    db: Session, keyring: FileKeyring, data: bytes, *, max_bytes: int | None = None
) -> ValidationFailed:
    case = make_case(db, keyring)
    before = _footprint(db, case.id)
    extra = {} if max_bytes is None else {"max_bytes": max_bytes}
    with pytest.raises(ValidationFailed) as raised:
        service.add_document(
            db,
            keyring,
            Actor.system(),
            case_id=case.id,
            meta=_meta("Refused upload quixotically"),
            data=data,
            filename="upload.pdf",
            **extra,
        )
    db.flush()
    assert _footprint(db, case.id) == before
    assert service.search(db, Actor.system(), "quixotically") == []
    return raised.value


def test_a_file_over_the_size_cap_is_refused_and_nothing_is_stored(
    db: Session, keyring: FileKeyring
) -> None:
    data = samples.pdf("A report that is too large quixotically")
    error = _assert_refused_and_nothing_stored(db, keyring, data, max_bytes=len(data) - 1)
    assert "limit" in error.message and error.errors == {"file": "Choose a smaller file"}


def test_the_default_cap_is_25_mb(db: Session, keyring: FileKeyring) -> None:
    data = b"quixotically " * (service.documents.DEFAULT_MAX_UPLOAD_BYTES // 13 + 1)
    error = _assert_refused_and_nothing_stored(db, keyring, data)
    assert "25 MB" in error.message


def test_a_file_at_the_cap_is_accepted(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    data = samples.pdf("Exactly at the limit")
    document = service.add_document(
        db,
        keyring,
        Actor.system(),
        case_id=case.id,
        meta=_meta("At the cap"),
        data=data,
        filename="cap.pdf",
        max_bytes=len(data),
    )
    assert document.size_bytes == len(data)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>quixotically</body></html>",
        samples.ELF,
        samples.docm("quixotically"),
        samples.plain_zip(),
        b"",
    ],
    ids=["html-as-pdf", "elf", "docm", "zip", "empty"],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_stored(
    db: Session, keyring: FileKeyring, data: bytes
) -> None:
    error = _assert_refused_and_nothing_stored(db, keyring, data)
    assert error.errors.get("file")


def test_an_accepted_upload_is_named_by_its_real_type(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    document = service.add_document(
        db,
        keyring,
        Actor.system(),
        case_id=case.id,
        meta=_meta("Disguised PDF"),
        data=samples.pdf("A real PDF"),
        filename="../../etc/cron.d/job.txt",
    )
    assert (document.media_type, document.filename) == (policy.PDF, "job.pdf")
    file = service.download_document(db, keyring, Actor.system(), document.id)
    assert file.media_type == policy.PDF and file.filename == "job.pdf"


# --- Word packages: judged by content types and relationships, not part names -----------

MACROS = "Word files with macros"
EXTERNAL = "Word files that link to content kept outside the file"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: samples.docx_edited(
                relationships=[
                    (samples.ATTACHED_TEMPLATE, "https://evil.example/t.dotm", "External")
                ]
            ),
            EXTERNAL,
        ),
        (
            lambda: samples.docx_edited(
                relationships=[(samples.OLE_OBJECT, "file:///C:/x.xlsx", "External")]
            ),
            EXTERNAL,
        ),
        (
            lambda: samples.docx_edited(
                relationships=[(samples.IMAGE, "https://tracker.example/p.png", "External")]
            ),
            EXTERNAL,
        ),
        (
            lambda: samples.docx_edited(
                relationships=[(samples.HYPERLINK, "\\\\attacker\\share\\x", "External")]
            ),
            EXTERNAL,
        ),
        (
            lambda: samples.docx_edited(
                relationships=[(samples.ATTACHED_TEMPLATE, "https://evil.example/t", "external")]
            ),
            EXTERNAL,
        ),
        (samples.docm_renamed, MACROS),
        (
            lambda: samples.docx_edited(
                overrides={"/word/notes.dat": "application/vnd.ms-office.vbaProject"},
                parts={"word/notes.dat": b"\xd0\xcf\x11\xe0"},
            ),
            MACROS,
        ),
        (
            lambda: samples.docx_edited(
                overrides={"/word/activeX/a1.xml": "application/vnd.ms-office.activeX+xml"},
                parts={"word/activeX/a1.xml": b"<ax/>"},
            ),
            MACROS,
        ),
        (lambda: samples.docx_edited(relationships=[(samples.VBA_PROJECT, "a.dat", None)]), MACROS),
    ],
    ids=[
        "attached-template",
        "ole-link",
        "remote-image",
        "unc-hyperlink",
        "lower-case-mode",
        "renamed-docm",
        "vba-content-type",
        "activex",
        "vba-relationship",
    ],
)
def test_active_or_linked_word_content_is_refused_whatever_the_part_names(
    make: object, message: str
) -> None:
    assert callable(make)
    with pytest.raises(ValidationFailed) as raised:
        policy.sniff_media_type(make())
    assert raised.value.message.startswith(message)
    assert raised.value.errors["file"]


def test_web_and_email_links_in_a_word_document_are_ordinary() -> None:
    data = samples.docx_edited(
        relationships=[
            (samples.HYPERLINK, "https://www.gov.uk/government/organisations/cafcass", "External"),
            (samples.HYPERLINK, "mailto:court@example.org", "External"),
        ]
    )
    assert policy.sniff_media_type(data) == policy.DOCX


def test_a_word_package_with_a_dtd_is_not_parsed() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    with pytest.raises(ValidationFailed, match=GENERIC):
        policy.sniff_media_type(samples.docx_edited(parts={"[Content_Types].xml": bomb}))


def test_a_word_package_too_big_to_check_is_refused_saying_so() -> None:
    many = {f"word/media/p{i}.bin": b"" for i in range(10_001)}
    with pytest.raises(ValidationFailed, match="too many parts to be checked"):
        policy.sniff_media_type(samples.docx_edited(parts=many))
