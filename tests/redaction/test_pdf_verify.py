"""A source carrying personal data outside its page text (metadata, XMP, an annotation, a
form field, an attachment, a script): the proof finds each in the source, and none of it
reaches the bundle, because nothing of the source but pixels is taken."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from steward.redaction.pdf import count_pages_pdf
from steward.redaction.render import BundleWriter
from steward.redaction.verify import prove_absent
from tests.redaction.pdfs import pdf_text, text_pdf

NEEDLE = "Smithers"


def hostile_source(path: Path) -> None:
    base = text_pdf([["A visit note with nothing personal on the page."]])
    with pikepdf.open(io.BytesIO(base)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:creator"] = [f"J {NEEDLE}"]
        pdf.docinfo["/Author"] = f"Jane {NEEDLE}"
        pdf.docinfo["/Keywords"] = NEEDLE
        page = pdf.pages[0]
        note = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[100, 100, 120, 120],
                Contents=pikepdf.String(f"call {NEEDLE}"),
            )
        )
        field = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Tx,
                T=pikepdf.String("contact"),
                V=pikepdf.String(f"Mr {NEEDLE}"),
                Rect=[100, 200, 300, 220],
                P=page.obj,
            )
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([note, field]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
        pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(
            pdf, f"private note about {NEEDLE}".encode(), mime_type="text/plain"
        )
        script = pdf.make_indirect(
            pikepdf.Dictionary(
                S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{NEEDLE}')")
            )
        )
        pdf.Root.OpenAction = script
        pdf.save(path)


def test_nothing_but_the_page_reaches_the_bundle(tmp_path: Path) -> None:
    source = tmp_path / "source.pdf"
    hostile_source(source)
    found = prove_absent(source, [NEEDLE])
    wheres = {leak.where for leak in found}
    assert {"metadata", "stream", "file", "structure"} <= wheres
    details = " ".join(leak.detail for leak in found)
    for key in ("/Author", "/Keywords", "XMP", "/AcroForm", "/OpenAction", "/Annots"):
        assert key in details
    assert "/EmbeddedFile" in details
    assert all(NEEDLE not in str(leak) for leak in found)  # a leak never repeats the data

    data = source.read_bytes()
    out = tmp_path / "bundle.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(stream, total_pages=count_pages_pdf(data))
        writer.add_pdf(data, [])
        writer.close()
    assert prove_absent(out, [NEEDLE]) == []
    assert "nothing personal" in pdf_text(out)[0]
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Disclosure bundle"
        assert "/Author" not in pdf.docinfo or str(pdf.docinfo["/Author"]) == ""
