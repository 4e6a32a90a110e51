"""Pure rules of the records domain: who may read a case, and which uploads are acceptable."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records import ooxml


class Access(StrEnum):
    """Why an actor may read a case; NONE means they may not (break-glass may still be offered)."""

    ROLE = "role"  # ig_officer, dpo: all cases, for their duties
    ASSIGNED = "assigned"
    TEAM = "team"
    BREAK_GLASS = "break_glass"
    NONE = "none"


def case_access(
    actor: Actor,
    *,
    assigned: bool,
    same_team: bool,
    break_glass_open: bool,
    restricted: bool = False,
) -> Access:
    """``restricted``: a party to the case has their processing restricted (Article 18).
    Then only the information-governance team (who read every case for their duties) may
    read it: not the assigned caseworker, not the team, and not break-glass. Restricted data
    may be processed only with the person's consent, for legal claims, to protect another
    person or for an important public interest; each of those is a decision for the IG team
    to take and record, not an emergency a caseworker can declare, so break-glass does not
    override a restriction."""
    if actor.can(Permission.CASES_READ_ALL):
        return Access.ROLE
    if restricted:
        return Access.NONE
    if assigned and actor.can(Permission.CASES_READ_ASSIGNED):
        return Access.ASSIGNED
    if same_team and actor.can(Permission.CASES_READ_TEAM):
        return Access.TEAM
    if break_glass_open and actor.can(Permission.CASES_BREAK_GLASS):
        return Access.BREAK_GLASS
    return Access.NONE


# The access a read of a person happened under, when several of their cases are visible: the
# closest tie first (their caseworker reads them as assigned, whatever else also allows it).
_CLOSEST_FIRST = (Access.ASSIGNED, Access.TEAM, Access.ROLE, Access.BREAK_GLASS)


def closest(accesses: set[Access]) -> Access:
    return next((a for a in _CLOSEST_FIRST if a in accesses), Access.NONE)


# --- break-glass reasons ---------------------------------------------------------------

MIN_REASON_CHARS = 20
MAX_REASON_CHARS = 2000
MIN_REASON_WORDS = 3
# A word: two or more letters. Digits and punctuation alone say nothing to the DPO.
_REASON_WORD = re.compile(r"[^\W\d_]{2,}")


def break_glass_reason_problem(reason: str) -> str | None:
    """What is wrong with a break-glass reason, or None. A reason is read by the DPO, so it
    must look like one: a sentence of at least three different words, not a keyboard mash or
    one token repeated. Deliberately simple, so staff can be told the rule in one line."""
    text = reason.strip()
    if len(text) < MIN_REASON_CHARS:
        return f"Give a reason of at least {MIN_REASON_CHARS} characters"
    if len(text) > MAX_REASON_CHARS:
        return f"Give a reason of at most {MAX_REASON_CHARS} characters"
    if len({w.casefold() for w in _REASON_WORD.findall(text)}) < MIN_REASON_WORDS:
        return f"Say why in a sentence of at least {MIN_REASON_WORDS} different words"
    return None


# --- uploads --------------------------------------------------------------------------

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
ACCEPTED_TYPES = (PDF, DOCX, TEXT, PNG, JPEG, TIFF)
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", TEXT: ".txt", PNG: ".png", JPEG: ".jpg", TIFF: ".tif"}
_UNSAFE_FILENAME_CHARS = re.compile(r"[^\w.\- ()]+")
_DOT_RUNS = re.compile(r"\.{2,}")
_EDGE_CHARS = " ._-"


def sniff_media_type(data: bytes) -> str:
    """The file's real type from its bytes, never from its name or the browser's claim."""
    if not data:
        raise ValidationFailed(
            "The file is empty.", errors={"file": "Choose a file that is not empty"}
        )
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if data.startswith(b"PK\x03\x04"):
        verdict = ooxml.inspect(data)
        if verdict is ooxml.Verdict.WORD:
            return DOCX
        if verdict in _PACKAGE_REFUSALS:
            message, field_message = _PACKAGE_REFUSALS[verdict]
            raise ValidationFailed(message, errors={"file": field_message})
    if _is_plain_text(data):
        return TEXT
    raise ValidationFailed(
        "This type of file cannot be added. Upload a PDF, Word (.docx), plain text, PNG, JPEG or TIFF file.",
        errors={"file": "Upload a PDF, .docx, text or image file"},
    )


_PACKAGE_REFUSALS = {
    ooxml.Verdict.MACROS: (
        "Word files with macros or ActiveX controls cannot be added. Save it as a Word "
        "document (.docx) without macros, or as a PDF, and upload that.",
        "Upload the file without macros, as .docx or PDF",
    ),
    ooxml.Verdict.EXTERNAL: (
        "Word files that link to content kept outside the file (an attached template, a "
        "linked object or frame, a picture on another server, a link to a network folder) "
        "cannot be added. Remove the link in Word, or save the document as a PDF, and "
        "upload that.",
        "Upload the file without external links, or as PDF",
    ),
    ooxml.Verdict.TOO_COMPLEX: (
        "This Word file has too many parts to be checked for macros and external links. "
        "Save it as a PDF and upload that.",
        "Upload the file as PDF",
    ),
}


# Markup anywhere in a text upload, not only at its start: a browser (or a viewer that
# "helpfully" renders) finds a tag wherever it is, so a stored "text" must hold none. A tag is
# a known HTML, SVG or MathML element name (optionally namespace-prefixed) right after "<"
# and closed by ">", or any tag carrying an event handler (closed or not); declarations,
# comments, CDATA and processing instructions are markup whatever follows them. As in a
# browser, "a < b > c", "<p is" and "<someone@example.org>" are not tags.
_ELEMENTS = (
    "a|abbr|address|animate\\w*|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|"
    "button|canvas|caption|circle|cite|clippath|code|col|colgroup|data|datalist|dd|defs|del|"
    "details|dfn|dialog|div|dl|dt|ellipse|em|embed|fe\\w+|fieldset|figcaption|figure|"
    "filter|font|footer|foreignobject|form|frame|frameset|g|h[1-6]|handler|head|header|"
    "hgroup|hr|html|i|iframe|image|img|input|ins|kbd|label|legend|li|line|lineargradient|"
    "link|listener|main|map|mark|marker|mask|math|menu|meta|meter|mi|mn|mo|ms|mtext|nav|"
    "noembed|noframes|noscript|object|ol|optgroup|option|output|p|param|path|pattern|"
    "picture|plaintext|polygon|polyline|portal|pre|progress|q|radialgradient|rect|rp|rt|"
    "ruby|s|samp|script|search|section|select|set|slot|small|source|span|stop|strong|style|"
    "sub|summary|sup|svg|switch|symbol|table|tbody|td|template|text|textarea|textpath|"
    "tfoot|th|thead|time|title|tr|track|tspan|u|ul|use|var|video|view|wbr|xmp"
)
_MARKUP = re.compile(
    rf"</?(?:[a-z][\w.-]*:)?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>"
    r"|<[a-z][\w:.-]*\s[^<>]*?\bon[a-z]+\s*="
    r"|<!\s*(?:doctype|entity|element|attlist|\[cdata\[)|<!--|<\?[a-z]",
    re.IGNORECASE,
)
# Bytes that never occur in text (the WHATWG MIME Sniffing standard's "binary data bytes",
# less vertical tab, which text pasted out of Word carries): NUL and most C0 controls.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WINDOWS_TEXT = re.compile(rb"[\x80-\xff]")

MARKUP_REFUSED = (
    "This file contains web page markup (HTML, SVG or XML tags), which cannot be added as "
    "text. Save or print it as a PDF, or remove the markup, and upload that."
)
NOT_UTF8 = (
    "This text file is not saved as UTF-8, so its characters cannot be read reliably. Open it "
    "and save it again with the encoding set to UTF-8 (in Notepad: File, Save as, Encoding: "
    "UTF-8), then upload it."
)


def _is_plain_text(data: bytes) -> bool:
    """Whether the bytes are UTF-8 text without markup. Text in another encoding, or text
    carrying markup, is refused here with a message that says how to put it right."""
    if data.startswith(_UTF16_BOMS):
        _refuse_text(NOT_UTF8, "Save the file as UTF-8 text")
    if _BINARY_BYTES.search(data):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # No control bytes, only high bytes that are not UTF-8: text saved as Windows-1252
        # or Latin-1, which a person can re-save.
        if _WINDOWS_TEXT.search(data):
            _refuse_text(NOT_UTF8, "Save the file as UTF-8 text")
        return False
    if _MARKUP.search(text):
        _refuse_text(MARKUP_REFUSED, "Upload the file as a PDF, or remove the markup")
    return True


def _refuse_text(message: str, field_message: str) -> None:
    raise ValidationFailed(message, errors={"file": field_message})


def safe_filename(name: str | None, media_type: str) -> str:
    """A display name safe in headers and on disk: no path, no control or odd characters,
    and the extension of the file's real type."""
    base = unicodedata.normalize("NFKC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _DOT_RUNS.sub(".", _UNSAFE_FILENAME_CHARS.sub("_", stem))
    # Stripped again after cutting, so the cut never leaves "name..pdf"; a leading "-" would
    # read as an option to a command-line tool, a leading "=" (already "_") as a formula.
    stem = stem.strip(_EDGE_CHARS)[:120].strip(_EDGE_CHARS) or "document"
    return stem + EXTENSIONS[media_type]
