"""Letters to requesters, from wording the organisation can edit: rendering only, no database.

Templates are Jinja text rendered in a sandbox with strict undefined values: the people who
edit them (the DPO and IG officers) choose wording and placeholders, never code. A template
that would not render (a placeholder that does not exist, a syntax error, reaching into
Python objects) is refused when it is saved, with a message saying what is wrong, so a letter
can never fail to be made because of its wording. The PDF is drawn with reportlab (BSD)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from xml.sax.saxutils import escape

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from steward.core.errors import ValidationFailed
from steward.sar.policy import Outcome, Right

MAX_TEMPLATE_CHARS = 20_000
# A loop in a template could otherwise write a letter of any length.
MAX_RENDERED_CHARS = 100_000


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    ID_REQUEST = "id_request"
    CLARIFICATION = "clarification"
    EXTENSION = "extension"
    FEE = "fee"
    REFUSAL = "refusal"
    COVERING = "covering"
    DECISION = "decision"  # on rectification, erasure, restriction or objection


# The heading of each letter, and its name on the pages.
TITLES: dict[LetterKind, str] = {
    LetterKind.ACKNOWLEDGEMENT: "We have received your request",
    LetterKind.ID_REQUEST: "Proof of identity or authority needed",
    LetterKind.CLARIFICATION: "Please tell us more about your request",
    LetterKind.EXTENSION: "We need more time to respond",
    LetterKind.FEE: "A fee is payable",
    LetterKind.REFUSAL: "We cannot comply with your request",
    LetterKind.COVERING: "Your personal information",
    LetterKind.DECISION: "Our decision on your request",
}

# Kinds whose letter states the reasons recorded with the request's last step of that kind.
NEEDS_REASONS = frozenset({LetterKind.EXTENSION, LetterKind.REFUSAL})

# Every placeholder a template may use, with what it is filled with: shown beside the editor.
PLACEHOLDERS: dict[str, str] = {
    "organisation": "The organisation's name",
    "reference": "The request's reference, like SAR-2026-00042",
    "today": "The date of the letter",
    "requester_name": "The requester's name",
    "received_on": "The day the request arrived",
    "due_on": "The day the response is due",
    "first_deadline": "The first deadline, before any extension",
    "new_due_on": "The extended deadline",
    "reasons": "The reasons recorded for an extension or a refusal",
    "fee_amount": "The fee asked for, in pounds",
    "right": 'What the requester asked for, like "to correct information we hold about you"',
    "outcome": "The decision in a sentence: done, done in part, or not done",
}

# How a decision letter says what was asked and what was decided (policy.Right, Outcome).
RIGHT_ASKED: dict[Right, str] = {
    Right.ACCESS: "for a copy of the personal information we hold about you",
    Right.RECTIFICATION: "to correct personal information we hold about you",
    Right.ERASURE: "to erase personal information we hold about you",
    Right.RESTRICTION: "to restrict how we use personal information about you",
    Right.OBJECTION: "to stop using personal information about you (an objection)",
}
OUTCOME_SAID: dict[Outcome, str] = {
    Outcome.DONE: "We have done what you asked.",
    Outcome.PARTLY: "We have done part of what you asked.",
    Outcome.REFUSED: "We have decided not to do what you asked.",
}

# Values a template is tried with when it is saved or previewed: no real person's data.
SAMPLE: dict[str, str] = {
    "organisation": "Example Family Advisory Service",
    "reference": "SAR-2026-00042",
    "today": "20 March 2026",
    "requester_name": "Sam Sample",
    "received_on": "2 March 2026",
    "due_on": "2 April 2026",
    "first_deadline": "2 April 2026",
    "new_due_on": "2 June 2026",
    "reasons": "The request covers records held on paper in several places.",
    "fee_amount": "25.00",
    "right": RIGHT_ASKED[Right.RECTIFICATION],
    "outcome": OUTCOME_SAID[Outcome.PARTLY],
}

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)

# What wording may hold beyond text: placeholders, conditions and a few filters. No loops,
# arithmetic, macros or includes: the sandbox stops a template reaching into Python, and this
# stops one running for ever or making a letter of a billion characters.
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Compare,
    nodes.Operand,
    nodes.Filter,
)
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})


def default_template(kind: LetterKind) -> str:
    """The wording shipped with Steward (version 0 of each kind)."""
    return (
        resources.files("steward.sar")
        .joinpath(f"letter_templates/{kind.value}.txt")
        .read_text(encoding="utf-8")
    )


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"The letter cannot be saved: {message}. Nothing was changed.", errors={"body": message}
    )


def _only_simple_parts(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, ALLOWED_NODES):
            raise _refuse(
                f'it uses "{type(node).__name__.lower()}", which a letter may not; use '
                "placeholders, {% if %} and the filters upper, lower, title, capitalize, trim "
                "and default"
            )
        if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            raise _refuse(
                f"it uses a placeholder that does not exist ({node.name}); use only those listed"
            )
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise _refuse(f'the filter "{node.name}" cannot be used in a letter')


def render(body: str, values: dict[str, str]) -> str:
    """The letter's text; ValidationFailed (field "body") saying what is wrong if it will not
    render."""
    if len(body) > MAX_TEMPLATE_CHARS:
        raise _refuse(f"the wording must be {MAX_TEMPLATE_CHARS:,} characters or fewer")
    try:
        _only_simple_parts(_env.parse(body))
        text = _env.from_string(body).render(values)
    except TemplateSyntaxError as exc:
        raise _refuse(f"there is a mistake on line {exc.lineno} ({exc.message})") from None
    except SecurityError:
        raise _refuse("it reaches into something a letter may not use") from None
    except UndefinedError as exc:
        raise _refuse(
            f"it uses a placeholder that does not exist ({exc.message}); use only those listed"
        ) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, OverflowError) as exc:
        raise _refuse(f"it could not be filled in ({type(exc).__name__})") from None
    if len(text) > MAX_RENDERED_CHARS:
        raise _refuse("the letter it makes is far too long")
    return text


def check(body: str) -> str:
    """Render with sample values: what a saved template must survive, and the preview."""
    if not body.strip():
        raise _refuse("enter the wording of the letter")
    return render(body, SAMPLE)


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; a paragraph's own line breaks are kept."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Letter:
    organisation: str
    date: str
    recipient_name: str
    recipient_address: list[str]
    reference: str
    title: str
    body: str
    sign_off: str = "Information governance team"


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    # reportlab reads a paragraph as markup: a name with "<" or "&" must stay text.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def pdf(letter: Letter) -> bytes:
    """An A4 letter: letterhead, date, recipient, reference, heading, body, sign-off."""
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("letter", parent=styles["Normal"], fontSize=11, leading=15)
    head = ParagraphStyle("letterhead", parent=styles["Title"], fontSize=16, alignment=0)
    title = ParagraphStyle("title", parent=styles["Heading2"], fontSize=13)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{letter.title} ({letter.reference})",
        author=letter.organisation,
    )
    story = [
        _para(letter.organisation, head),
        Spacer(1, 6 * mm),
        _para(letter.date, normal),
        Spacer(1, 4 * mm),
        _para("\n".join([letter.recipient_name, *letter.recipient_address]), normal),
        Spacer(1, 4 * mm),
        _para(f"Our reference: {letter.reference}", normal),
        _para(letter.title, title),
    ]
    for paragraph in paragraphs(letter.body):
        story += [_para(paragraph, normal), Spacer(1, 3 * mm)]
    story += [
        Spacer(1, 4 * mm),
        _para("Yours sincerely,", normal),
        Spacer(1, 8 * mm),
        _para(letter.sign_off, normal),
        _para(letter.organisation, normal),
    ]
    document.build(story)
    return out.getvalue()
