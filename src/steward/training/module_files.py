"""Built-in e-learning modules: Markdown files under ``training/modules/<slug>.md``, read and
checked here. No database: ``service.modules`` puts them in the catalogue and
``service.elearning`` scores a quiz against them. The format is documented in
docs/training.md ("Built-in modules"); in short:

    ---
    code: DP-INDUCTION            # the course's code in the catalogue
    title: Data protection induction
    topic: data_protection        # policy.Topic
    delivery: e_learning          # always e_learning for a built-in module
    version: 1                    # raise it when the content or the quiz changes
    requires_redo: false          # this version makes earlier completions stop counting
    pass_mark: 80                 # percent
    duration_minutes: 20
    validity_months: 12           # months a pass stays current (null: never lapses)
    summary: One sentence shown in lists.
    changes: What changed in this version (optional, kept with the version).
    ---

    ## A section of the content
    Markdown (CommonMark and tables; no raw HTML, no images).

    ## Quiz

    ### A question?
    - [ ] A wrong answer
    - [x] The one right answer

    Read again: A section of the content

Everything before ``## Quiz`` is the content; after it, each ``###`` heading is a question
(``q1``, ``q2``... in order), its options a list with exactly one ``[x]``, and an optional
"Read again:" line naming the content section a person who got it wrong should re-read.

The front matter is read with ``yaml.safe_load`` (no tags, no objects), Markdown with
markdown-it-py with raw HTML off, so what a module says is shown as text, never as markup."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from steward.training.policy import Delivery, Topic

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
MAX_FILE_BYTES = 200_000
MAX_QUESTIONS = 50
OPTIONS = (2, 6)  # fewest and most options a question may offer
QUIZ_HEADING = "Quiz"
READ_AGAIN = "Read again:"
REQUIRED = frozenset(
    {
        "code",
        "title",
        "topic",
        "delivery",
        "version",
        "requires_redo",
        "pass_mark",
        "duration_minutes",
        "validity_months",
    }
)
OPTIONAL = frozenset({"summary", "changes"})
_MARK = re.compile(r"^\[( |x|X)\]\s+(\S.*)$", re.S)


class ModuleInvalid(ValueError):
    """A module file that cannot be used, with every problem found (``line N: ...``)."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(f"{name}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Option:
    text: str
    html: str  # inline Markdown rendered with raw HTML off: safe to show as markup
    correct: bool


@dataclass(frozen=True, slots=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str  # "q1", "q2"... in the order asked
    number: int
    text: str
    html: str
    options: tuple[Option, ...]
    read_again: Section | None

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True, slots=True)
class Module:
    slug: str
    code: str
    title: str
    topic: Topic
    version: int
    requires_redo: bool
    pass_mark: int
    duration_minutes: int
    validity_months: int | None
    summary: str
    changes: str
    content_html: str
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    # An image would be fetched from wherever it points (and our CSP would block it): modules
    # are words. Refused by the loader, and never rendered.
    md.disable("image")
    md.core.ruler.push("govuk_classes", _govuk_classes)
    return md


# GOV.UK Frontend's classes for what Markdown makes, so a module reads like any other page.
_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
}
_HEADINGS = {"h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s"}


def _govuk_classes(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("class", _HEADINGS.get(token.tag, "govuk-heading-s"))
            if token.tag == "h2":
                token.attrSet("id", anchor(tokens[index + 1].content))
        elif token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("class", "govuk-link")


_md = _markdown()


def anchor(title: str) -> str:
    """A section's id on the module page: its title in lower case, words joined by hyphens."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return "section-" + ("-".join(re.findall(r"[a-z0-9]+", plain)) or "untitled")


def render_inline(text: str) -> str:
    return str(_md.renderInline(text))


def directory() -> Traversable:
    """Where the modules shipped with Steward are."""
    return resources.files("steward.training").joinpath("modules")


def shipped() -> dict[str, Module]:
    """Every module shipped with Steward, by slug; the first invalid one raises ModuleInvalid
    (tests/training/test_module_files.py keeps them all valid)."""
    return _shipped()


@cache
def _shipped() -> dict[str, Module]:
    return {m.slug: m for m in (load(f.name, f.read_bytes()) for f in _files(directory()))}


def find(slug: str) -> Module | None:
    """A shipped module by its slug (None: there is none)."""
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        return None
    return shipped().get(slug)


def _files(folder: Traversable) -> Iterator[Traversable]:
    if not folder.is_dir():
        return
    yield from sorted(
        (f for f in folder.iterdir() if f.name.endswith(".md") and f.is_file()),
        key=lambda f: f.name,
    )


def load_directory(folder: Path | Traversable) -> tuple[list[Module], list[ModuleInvalid]]:
    """Every ``*.md`` file in ``folder``: the modules read and the files refused, each
    on its own (one bad file does not stop the others)."""
    modules: list[Module] = []
    refused: list[ModuleInvalid] = []
    for file in _files(folder):
        try:
            modules.append(load(file.name, file.read_bytes()))
        except ModuleInvalid as exc:
            refused.append(exc)
    return modules, refused


def load(filename: str, data: bytes) -> Module:
    """One module file, checked whole: ModuleInvalid lists every problem found."""
    slug = filename.removesuffix(".md")
    if not filename.endswith(".md") or not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise ModuleInvalid(
            filename,
            [
                "the file name must be the module's slug (lower-case letters, digits and "
                f"hyphens, at most {MAX_SLUG}) followed by .md"
            ],
        )
    if len(data) > MAX_FILE_BYTES:
        raise ModuleInvalid(filename, [f"the file is larger than {MAX_FILE_BYTES:,} bytes"])
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise ModuleInvalid(filename, ["the file is not UTF-8 text"]) from None
    problems: list[str] = []
    meta, body, offset = _front_matter(text, problems)
    fields = _fields(meta, problems) if meta is not None else None
    content_html, sections, questions = _body(body, offset, problems)
    if problems or fields is None:
        raise ModuleInvalid(filename, problems or ["the front matter could not be read"])
    return Module(
        slug=slug,
        content_html=content_html,
        sections=sections,
        questions=questions,
        **fields,
    )


def _front_matter(text: str, problems: list[str]) -> tuple[dict[str, Any] | None, str, int]:
    """The YAML between the first two ``---`` lines, the Markdown after them, and how many
    lines came before the Markdown (so problems name the file's own line numbers)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append("line 1: the file must start with front matter between two --- lines")
        return None, text, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append("line 1: the front matter has no closing --- line")
        return None, "", 0
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        problems.append(f"{where}the front matter is not valid YAML")
        return None, "\n".join(lines[end + 1 :]), end + 1
    if not isinstance(meta, dict):
        problems.append("line 2: the front matter must be a set of 'name: value' lines")
        return None, "\n".join(lines[end + 1 :]), end + 1
    return meta, "\n".join(lines[end + 1 :]), end + 1


def _whole(value: object, name: str, low: int, high: int, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{name} must be a whole number from {low} to {high}")
        return low
    return value


def _text(value: object, name: str, most: int, problems: list[str], *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        problems.append(f"{name} must be text of 1 to {most} characters")
        return ""
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" for c in value):
        problems.append(f"{name} holds control or invisible characters")
    return value.strip()


def _fields(meta: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    keys = {str(k) for k in meta}
    if unknown := sorted(keys - REQUIRED - OPTIONAL):
        problems.append(f"the front matter has unknown fields: {', '.join(unknown)}")
    if missing := sorted(REQUIRED - keys):
        problems.append(f"the front matter is missing: {', '.join(missing)}")
    code = meta.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append(
            "code must be 2 to 32 capital letters, digits and hyphens, like DP-INDUCTION"
        )
    topic = meta.get("topic")
    if topic not in {t.value for t in Topic}:
        problems.append(f"topic must be one of: {', '.join(t.value for t in Topic)}")
    if meta.get("delivery") != Delivery.E_LEARNING.value:
        problems.append("delivery must be e_learning: a built-in module is taken in Steward")
    redo = meta.get("requires_redo")
    if not isinstance(redo, bool):
        problems.append("requires_redo must be true or false")
    validity = meta.get("validity_months")
    return {
        "code": code if isinstance(code, str) else "",
        "title": _text(meta.get("title"), "title", 200, problems, required=True),
        "topic": Topic(topic) if topic in {t.value for t in Topic} else Topic.OTHER,
        "version": _whole(meta.get("version"), "version", 1, 10_000, problems),
        "requires_redo": bool(redo),
        "pass_mark": _whole(meta.get("pass_mark"), "pass_mark", 1, 100, problems),
        "duration_minutes": _whole(
            meta.get("duration_minutes"), "duration_minutes", 1, 480, problems
        ),
        "validity_months": None
        if validity is None
        else _whole(validity, "validity_months", 1, 120, problems),
        "summary": _text(meta.get("summary"), "summary", 500, problems, required=False),
        "changes": _text(meta.get("changes"), "changes", 2000, problems, required=False),
    }


def _line(token: Token, offset: int) -> str:
    return f"line {token.map[0] + 1 + offset}" if token.map else "the quiz"


def _body(
    body: str, offset: int, problems: list[str]
) -> tuple[str, tuple[Section, ...], tuple[Question, ...]]:
    env: dict[str, Any] = {}
    tokens = _md.parse(body, env)
    quiz_at = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.type == "heading_open"
            and t.tag == "h2"
            and tokens[i + 1].content.strip() == QUIZ_HEADING
        ),
        None,
    )
    content = tokens if quiz_at is None else tokens[:quiz_at]
    quiz = [] if quiz_at is None else tokens[quiz_at + 3 :]
    sections = _check_content(content, offset, problems)
    if quiz_at is None:
        problems.append(f"there is no '## {QUIZ_HEADING}' section")
    questions = _questions(quiz, offset, {s.title: s for s in sections}, problems)
    if quiz_at is not None and not questions:
        problems.append("the quiz has no questions")
    return _md.renderer.render(content, _md.options, env), sections, questions


def _check_content(tokens: list[Token], offset: int, problems: list[str]) -> tuple[Section, ...]:
    sections: list[Section] = []
    if not any(t.type == "inline" and t.content.strip() for t in tokens):
        problems.append("there is no content before the quiz")
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            problems.append(
                f"{_line(token, offset)}: use ## for headings; the page's own heading is the title"
            )
        if token.type == "heading_open" and token.tag == "h2":
            title = tokens[index + 1].content.strip()
            if any(s.title == title for s in sections):
                problems.append(f"{_line(token, offset)}: two sections are called '{title}'")
            sections.append(Section(anchor(title), title))
        if token.type == "inline" and "![" in token.content:
            problems.append(f"{_line(token, offset)}: a module cannot show images")
    return tuple(sections)


def _questions(
    tokens: list[Token], offset: int, sections: dict[str, Section], problems: list[str]
) -> tuple[Question, ...]:
    found: list[Question] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not (token.type == "heading_open" and token.tag == "h3"):
            problems.append(
                f"{_line(token, offset)}: the quiz holds only questions (### headings), "
                "their options and 'Read again:' lines"
            )
            index = _skip_block(tokens, index)
            continue
        number = len(found) + 1
        where = _line(token, offset)
        text = tokens[index + 1].content.strip()
        index += 3
        options: list[Option] = []
        if index < len(tokens) and tokens[index].type == "bullet_list_open":
            options, index = _options(tokens, index, where, number, problems)
        read_again = None
        if (
            index + 1 < len(tokens)
            and tokens[index].type == "paragraph_open"
            and tokens[index + 1].content.startswith(READ_AGAIN)
        ):
            named = tokens[index + 1].content.removeprefix(READ_AGAIN).strip()
            read_again = sections.get(named)
            if read_again is None:
                problems.append(
                    f"{_line(tokens[index], offset)}: question {number} says to read again "
                    f"'{named}', which is not a section (a ## heading) of the content"
                )
            index += 3
        if not text:
            problems.append(f"{where}: question {number} has no text")
        correct = sum(o.correct for o in options)
        if not OPTIONS[0] <= len(options) <= OPTIONS[1]:
            problems.append(
                f"{where}: question {number} must offer {OPTIONS[0]} to {OPTIONS[1]} options "
                "in a list ('- [ ] ...', '- [x] ...')"
            )
        if options and correct != 1:
            problems.append(
                f"{where}: question {number} must have exactly one correct answer marked [x] "
                f"(it has {correct})"
            )
        if len({o.text.casefold() for o in options}) != len(options):
            problems.append(f"{where}: question {number} offers the same answer twice")
        found.append(
            Question(f"q{number}", number, text, render_inline(text), tuple(options), read_again)
        )
    if len(found) > MAX_QUESTIONS:
        problems.append(f"the quiz has {len(found)} questions; at most {MAX_QUESTIONS}")
    return tuple(found)


def _options(
    tokens: list[Token], index: int, where: str, number: int, problems: list[str]
) -> tuple[list[Option], int]:
    """The option list starting at ``tokens[index]``: each item one line, '[x]' or '[ ]'."""
    options: list[Option] = []
    index += 1
    while tokens[index].type != "bullet_list_close":
        # list_item_open, paragraph_open, inline, paragraph_close, list_item_close: anything
        # else (a nested list, two paragraphs) is not an option.
        item = tokens[index : index + 5]
        shape = [t.type for t in item]
        if shape != [
            "list_item_open",
            "paragraph_open",
            "inline",
            "paragraph_close",
            "list_item_close",
        ]:
            problems.append(f"{where}: an option of question {number} must be one line of text")
            index = _skip_block(tokens, index)
            continue
        match = _MARK.match(item[2].content.strip())
        if match is None:
            problems.append(
                f"{where}: each option of question {number} must start [ ] (wrong) or [x] (right)"
            )
        else:
            text = " ".join(match.group(2).split())
            options.append(Option(text, render_inline(text), match.group(1) != " "))
        index += 5
    return options, index + 1


def _skip_block(tokens: list[Token], index: int) -> int:
    """The index after the block that opens at ``index``."""
    depth = 0
    while index < len(tokens):
        depth += tokens[index].nesting
        index += 1
        if depth <= 0:
            return index
    return index
