"""Real files of every accepted type (and some refused ones), made with the same libraries a
user's software would use: reportlab for PDFs, python-docx for Word, Pillow for scans."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Sequence
from io import BytesIO

import pytest
from docx import Document as WordDocument
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session, sessionmaker

from steward.core.crypto import KeyEncryptionKeys
from steward.records import service
from steward.records.extract import ExtractionStatus, Limits, Outcome, note_for
from steward.records.service import RunReport

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Debian's tesseract-ocr is not installed (make test installs it when run as root): "
    "scanned images are stored but not searchable, and this OCR test cannot run",
)


def pdf(*lines: str) -> bytes:
    """A one-page PDF with a real text layer holding ``lines``, uncompressed: the words are
    in the file's bytes as written, so a scan for them finds any unsealed copy."""
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    y = 780.0
    for line in lines:
        page.drawString(72, y, line)
        y -= 20
    page.showPage()
    page.save()
    return out.getvalue()


def image_only_pdf(caption: str = "SCANNED LETTER") -> bytes:
    """A PDF whose page is only a picture of text, as a scanner makes: no text layer."""
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawImage(ImageReader(BytesIO(png(caption))), 72, 500, width=400, height=100)
    page.showPage()
    page.save()
    return out.getvalue()


def docx(*paragraphs: str, table: list[list[str]] | None = None, stored: bool = False) -> bytes:
    """A Word document; ``stored`` keeps its parts uncompressed, so its words are in the
    file's bytes as written."""
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = BytesIO()
    document.save(out)
    return _rezipped(out.getvalue(), zipfile.ZIP_STORED) if stored else out.getvalue()


def _rezipped(data: bytes, compression: int, extra: dict[str, bytes] | None = None) -> bytes:
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def docm(*paragraphs: str) -> bytes:
    """A macro-enabled Word file: a .docx with a VBA project inside."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    return _rezipped(docx(*paragraphs), zipfile.ZIP_DEFLATED, {"word/vbaProject.bin": vba})


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "not a Word document")
        archive.writestr("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    return out.getvalue()


def _drawn(text: str) -> Image.Image:
    """Large, clear black-on-white text, the easiest possible scan."""
    font = ImageFont.load_default(size=64)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 80, bottom - top + 80), color=255)
    ImageDraw.Draw(image).text((40 - left, 40 - top), text, fill=0, font=font)
    return image


def png(text: str = "SAMPLE") -> bytes:
    out = BytesIO()
    _drawn(text).save(out, format="PNG")
    return out.getvalue()


def jpeg(text: str = "SAMPLE") -> bytes:
    out = BytesIO()
    _drawn(text).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def tiff(text: str = "SAMPLE") -> bytes:
    out = BytesIO()
    _drawn(text).save(out, format="TIFF")
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40


_DOCUMENT_RELS = "word/_rels/document.xml.rels"
ATTACHED_TEMPLATE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
)
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
OLE_OBJECT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_edited(
    *,
    relationships: Sequence[tuple[str, str, str | None]] = (),
    content_types: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """A real Word document with its package edited as a hostile author would: extra
    relationships (type, target, TargetMode), content types replaced, parts added."""
    source = zipfile.ZipFile(BytesIO(docx("An ordinary letter")))
    edited: dict[str, bytes] = {n: source.read(n) for n in source.namelist()}
    rels = edited[_DOCUMENT_RELS].decode()
    for index, (rel_type, target, mode) in enumerate(relationships):
        mode_attr = f' TargetMode="{mode}"' if mode else ""
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdX{index}" Type="{rel_type}" Target="{target}"{mode_attr}/>'
            "</Relationships>",
        )
    edited[_DOCUMENT_RELS] = rels.encode()
    types = edited["[Content_Types].xml"].decode()
    for old, new in (content_types or {}).items():
        types = types.replace(old, new)
    for part, content_type in (overrides or {}).items():
        types = types.replace(
            "</Types>", f'<Override PartName="{part}" ContentType="{content_type}"/></Types>'
        )
    edited["[Content_Types].xml"] = types.encode()
    edited.update(parts or {})
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in edited.items():
            target.writestr(name, content)
    return out.getvalue()


def docm_renamed() -> bytes:
    """A macro-enabled document saved with its VBA project renamed to an innocent part name
    and a .docx name: only the content types and relationships give it away."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    return docx_edited(
        content_types={
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
                MACRO_MAIN
            )
        },
        overrides={"/word/notes.dat": "application/vnd.ms-office.vbaProject"},
        relationships=[(VBA_PROJECT, "notes.dat", None)],
        parts={"word/notes.dat": vba},
    )


def extract_pending(db: Session, keyring: KeyEncryptionKeys) -> RunReport:
    """Run the text-extraction worker over what ``db`` has stored, as ``steward serve``
    would after the upload's transaction: in its own sessions on the same test connection."""
    db.flush()
    factory = sessionmaker(
        bind=db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    report = service.run_pending(factory, keyring)
    db.expire_all()
    return report


def in_process_extractor(media_type: str, data: bytes) -> Outcome:
    """The child's extraction run in this process, without its limits: only for trusted,
    generated content in bulk (the demo organisation), where a process per document would
    cost minutes. Everything hostile goes through extract.run_isolated."""
    from dataclasses import asdict

    from steward.records import extraction_child

    result = extraction_child.extract(media_type, data, asdict(Limits()))
    status = ExtractionStatus(result["status"])
    return Outcome(
        status,
        text=result["text"],
        note=result["note"]
        if status is ExtractionStatus.DONE
        else note_for(status, result["reason"]),
        reason=result["reason"],
    )
