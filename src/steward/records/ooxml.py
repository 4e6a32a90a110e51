"""What is inside a Word (.docx) package, judged from its content types and relationships,
never from its part names: a VBA project renamed to "word/notes.dat" is still declared as
one in [Content_Types].xml, and an attached template on a web server is still a relationship
with TargetMode="External".

Only the package's small bookkeeping parts are read, each bounded in size and parsed with no
DTD, no entities and no network, so checking a file can never cost more than reading it.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO
from urllib.parse import urlsplit

from lxml import etree

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officedocument"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# Content types (and relationship types) of active content: macros and ActiveX controls.
_ACTIVE_MARKERS = ("macroenabled", "vbaproject", "vbadata", "activex", "ms-office.vba")
_ACTIVE_RELATIONSHIPS = ("/vbaproject", "/wordvbadata", "/control", "/activexcontrolbinary")
# Hyperlinks out of a document are ordinary (a court's web page, an email address) and only
# followed when a reader clicks; these are the schemes a click may take. file:// and UNC
# paths are not: opening one sends the reader's Windows credentials to the named server.
_HYPERLINK_SCHEMES = frozenset({"http", "https", "mailto"})

# Bounds on checking a package at upload. A real Word document has tens of parts and
# bookkeeping parts of a few kilobytes; a package beyond these cannot be shown to be free of
# active content, so it is refused rather than stored unchecked.
MAX_PARTS = 10_000
MAX_BOOKKEEPING_PART_BYTES = 2 * 1024 * 1024
MAX_BOOKKEEPING_TOTAL_BYTES = 16 * 1024 * 1024


class Verdict(StrEnum):
    WORD = "word"  # a Word document with no active content and no external links
    NOT_WORD = "not_word"  # a zip, or a damaged package: not a Word document
    MACROS = "macros"
    EXTERNAL = "external"
    TOO_COMPLEX = "too_complex"


@dataclass(frozen=True)
class _Package:
    names: list[str]
    defaults: dict[str, str]  # extension (lower case) -> content type
    overrides: dict[str, str]  # part name (lower case, no leading "/") -> content type


class _Refused(Exception):
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict


def safe_xml_parser() -> etree.XMLParser:
    """No DTD, no entity expansion, no network, and libxml2's own depth and size limits."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def inspect(data: bytes) -> Verdict:
    """Whether the zip is a Word document safe to keep, and if not, why."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return _inspect(archive)
    except _Refused as refused:
        return refused.verdict
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, EOFError):
        return Verdict.NOT_WORD


def _inspect(archive: zipfile.ZipFile) -> Verdict:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        return Verdict.TOO_COMPLEX
    names = [info.filename for info in infos]
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return Verdict.MACROS
    budget = [MAX_BOOKKEEPING_TOTAL_BYTES]
    if "[Content_Types].xml" not in names:
        return Verdict.NOT_WORD
    package = _content_types(archive, names, budget)
    declared = [*package.defaults.values(), *package.overrides.values()]
    if any(marker in ct.lower() for ct in declared for marker in _ACTIVE_MARKERS):
        return Verdict.MACROS
    main: str | None = None
    for rels_name in (n for n in names if n.lower().endswith(".rels")):
        for rel_type, target, external in _relationships(archive, rels_name, budget):
            lowered = rel_type.lower()
            if lowered.endswith(_ACTIVE_RELATIONSHIPS):
                return Verdict.MACROS
            if external and not _harmless_link(rel_type, target):
                return Verdict.EXTERNAL
            if rels_name == "_rels/.rels" and lowered.endswith(_OFFICE_DOCUMENT) and not external:
                main = posixpath.normpath(target.lstrip("/"))
    if main is None or _content_type(package, main) != WORD_MAIN:
        return Verdict.NOT_WORD
    return Verdict.WORD


def _harmless_link(rel_type: str, target: str) -> bool:
    if rel_type != _HYPERLINK:
        return False
    return urlsplit(target.strip()).scheme.lower() in _HYPERLINK_SCHEMES


def _content_type(package: _Package, part: str) -> str | None:
    override = package.overrides.get(part.lower())
    if override is not None:
        return override
    return package.defaults.get(posixpath.splitext(part)[1].lstrip(".").lower())


def _read_bounded(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > min(MAX_BOOKKEEPING_PART_BYTES, budget[0]):
        raise _Refused(Verdict.TOO_COMPLEX)
    with archive.open(info) as part:
        # The declared size bounds what zipfile will inflate; read one byte more to be sure.
        data = part.read(info.file_size + 1)
    budget[0] -= len(data)
    upper = data[:4096].upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in data.upper():
        raise _Refused(Verdict.NOT_WORD)  # no OOXML part has a DTD
    return data


def _content_types(archive: zipfile.ZipFile, names: list[str], budget: list[int]) -> _Package:
    root = etree.fromstring(
        _read_bounded(archive, "[Content_Types].xml", budget), safe_xml_parser()
    )
    defaults = {
        (el.get("Extension") or "").lower(): el.get("ContentType") or ""
        for el in root.iter(f"{_CT_NS}Default")
    }
    overrides = {
        (el.get("PartName") or "").lstrip("/").lower(): el.get("ContentType") or ""
        for el in root.iter(f"{_CT_NS}Override")
    }
    return _Package(names=names, defaults=defaults, overrides=overrides)


def _relationships(
    archive: zipfile.ZipFile, name: str, budget: list[int]
) -> list[tuple[str, str, bool]]:
    root = etree.fromstring(_read_bounded(archive, name, budget), safe_xml_parser())
    return [
        (
            el.get("Type") or "",
            el.get("Target") or "",
            (el.get("TargetMode") or "").lower() == "external",
        )
        for el in root.iter(f"{_REL_NS}Relationship")
    ]
