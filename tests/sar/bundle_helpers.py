"""A hand-made approved disclosure: a text document and a PDF, each naming a third party who
must not reach the requester, one document withheld, a paper file: a hand-made plan for the
tests of the pure writer (``write_bundle``). Everything that builds a request's bundle uses
the real flow instead (``approved_for_real``: the real detector, a second person's approval,
the default planner)."""

from __future__ import annotations

import io
from datetime import date

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor, Role
from steward.redaction.pdf import page_texts
from steward.redaction.spans import Code, Label, Span
from steward.sar import service as sar
from steward.sar.bundle_plan import BundlePlan, PaperItem, PlannedDocument, WithheldDocument
from steward.sar.clock import Region
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, RequesterType, Status
from steward.sar.schemas import PersonDetails, SarCreate
from tests.factories.core import make_user

# In the text document and in the PDF: each must be absent from the bundle.
TEXT_NEEDLE = "Dean Marsh"
PDF_NEEDLE = "Shannon Pike"
REFUGE = "4 Elm Close, Harrogate HG1 5QT"
KEPT = "Kayleigh Marsden"  # the requester: her own name stays
WITHHELD_TITLE = "Police disclosure request"


def source_pdf(pages: list[list[str]]) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for lines in pages:
        canvas.setFont("Helvetica", 12)
        for n, line in enumerate(lines):
            canvas.drawString(72, 770 - n * 20, line)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def spans_of(text: str, needle: str, code: Code = Code.THIRD_PARTY) -> list[Span]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(Span(at, at + len(needle), Label.NAME, code, "other parent"))
        at = text.find(needle, at + 1)
    return found


TEXT = (
    f"Home visit. {KEPT} said that {TEXT_NEEDLE} had moved to {REFUGE}.\n"
    f"{KEPT} asked that {TEXT_NEEDLE} is not told where the children go to school."
)
PDF_PAGES = [
    [f"Case note about {KEPT}.", f"{PDF_NEEDLE} telephoned the office twice.", "Nothing else."],
    ["Page two of the note.", f"Later, {PDF_NEEDLE} wrote again."],
]


def plan(reference: str = "SAR-2026-00001", *, requester: str = KEPT) -> BundlePlan:
    pdf = source_pdf(PDF_PAGES)
    texts = page_texts(pdf)
    text_spans = spans_of(TEXT, TEXT_NEEDLE) + spans_of(TEXT, REFUGE)
    return BundlePlan(
        reference=reference,
        requester_name=requester,
        received_on=date(2026, 3, 2),
        due_on=date(2026, 4, 2),
        documents=[
            PlannedDocument(
                title="Home visit record",
                case_reference="FD26P00042",
                created_on=date(2025, 11, 3),
                kind="text",
                pdf=None,
                text=TEXT,
                spans_by_page={0: sorted(text_spans, key=lambda s: s.start)},
            ),
            PlannedDocument(
                title="Case note",
                case_reference="FD26P00042",
                created_on=date(2025, 12, 1),
                kind="pdf",
                pdf=pdf,
                text=None,
                spans_by_page={p: spans_of(t, PDF_NEEDLE) for p, t in enumerate(texts)},
            ),
        ],
        withheld=[WithheldDocument(WITHHELD_TITLE, "FD26P00042", Code.CRIME)],
        paper=[PaperItem("PF-1990-0042", "Court file 1990", "Box B-12, off-site store")],
        article15=[
            ("Why we hold your information", "To advise the family court (public task)."),
            ("How long we keep it", "Until your youngest child is 25."),
        ],
    )


def awaiting_delivery(
    db: Session, kek: KeyEncryptionKeys, *, email: str | None = "kayleigh@example.org"
) -> tuple[SubjectAccessRequest, Actor, Actor]:
    """A request prepared by one officer and passed to another for approval: the state the
    disclosure's approval leaves it in. Returns it with (preparer, approver)."""
    preparer = make_user(db, Role.IG_OFFICER).actor
    approver = make_user(db, Role.DPO).actor
    request = sar.receive(
        db,
        kek,
        preparer,
        SarCreate(
            requester_type=RequesterType.DATA_SUBJECT,
            channel=Channel.EMAIL,
            received_on=clock.today(),
            requester=PersonDetails(full_name=KEPT, email=email),
        ),
        default_region=Region.ENGLAND_AND_WALES,
    )
    for status in (Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL):
        sar.move(db, kek, preparer, request.id, status)
    return request, preparer, approver


def stored_bundle(db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest) -> int:
    """A ready bundle on file without building one (pages and routes that only need one to
    exist): a tiny PDF sealed as its one chunk."""
    import hashlib

    from steward.core import crypto
    from steward.sar.delivery_models import BundleStatus, SarBundle, SarBundleChunk

    data = source_pdf([["A bundle on file."]])
    bundle = SarBundle(
        request_id=request.id,
        status=BundleStatus.READY.value,
        created_at=clock.now(),
        built_at=clock.now(),
        pages=1,
        documents=0,
        withheld=0,
        paper=0,
        redactions_json="{}",
        log_json="[]",
        needles_checked=0,
        size_bytes=len(data),
        chunks=1,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.add(bundle)
    db.flush()
    sealed = crypto.seal(
        db,
        kek,
        key_id=request.data_key_id,
        plaintext=data,
        context=f"sar_bundle:{bundle.id}:chunk:0",
    )
    db.add(SarBundleChunk(bundle_id=bundle.id, seq=0, sealed=sealed))
    db.flush()
    return bundle.id


def approved_for_real(
    db: Session,
    kek: KeyEncryptionKeys,
    factory: sessionmaker[Session],
    *,
    email: str | None = "kayleigh@example.org",
) -> tuple[SubjectAccessRequest, Actor, Actor]:
    """A request whose disclosure was prepared by one officer with the real detector and
    approved by a second person (tests/sar/journey_helpers.py): the bundle is then built by
    the default planner. Its text note names TEXT_NEEDLE and REFUGE, its PDF PDF_NEEDLE."""
    from tests.sar.journey_helpers import approved_journey

    preparer = make_user(db, Role.IG_OFFICER).actor
    approver = make_user(db, Role.DPO).actor
    journey = approved_journey(db, kek, factory, preparer, approver, email=email)
    return journey.request, preparer, approver


def not_yet_approved(
    db: Session, kek: KeyEncryptionKeys, factory: sessionmaker[Session]
) -> tuple[SubjectAccessRequest, Actor]:
    """The same request with its documents gathered for review, nothing approved yet."""
    from tests.sar.journey_helpers import holdings_and_request

    preparer = make_user(db, Role.IG_OFFICER).actor
    journey = holdings_and_request(db, kek, factory, preparer)
    sar.disclosure.gather(db, kek, preparer, request_id=journey.request.id)
    return journey.request, preparer
