"""Demo hook of the subject access domain: a handful of requests at different points of their
life, logged by the demo IG officer, so the queue, the home page's counts and a request's
timeline have something to show. Everyone named here is invented."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, clock
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.sar import service
from steward.sar.clock import Region
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, RequesterType, Right, Status
from steward.sar.schemas import PersonDetails, SarCreate

OFFICER, DPO = "ig-officer", "dpo"


@dataclass(frozen=True)
class DemoRequest:
    days_ago: int
    requester_type: RequesterType
    channel: Channel
    requester: PersonDetails
    description: str
    subject: PersonDetails | None = None
    right: Right = Right.ACCESS
    id_required: bool = False
    # Moves after logging: statuses in order ("clarify" stops the clock for a few days).
    path: tuple[str, ...] = ()
    authority_after: int | None = None  # days after arrival that proof of authority came
    extend: str | None = None
    tasks: tuple[str, ...] = field(default_factory=tuple)


REQUESTS: tuple[DemoRequest, ...] = (
    DemoRequest(
        3,
        RequesterType.DATA_SUBJECT,
        Channel.EMAIL,
        PersonDetails(full_name="Marcus Okafor", date_of_birth=date(1986, 7, 14)),
        "Copies of the reports written about my family in the 2021 court case.",
    ),
    DemoRequest(
        10,
        RequesterType.PARENT,
        Channel.LETTER,
        PersonDetails(full_name="Dawn Whitlock", address="4 Mill Lane, Ashby"),
        "Everything you hold about my son.",
        subject=PersonDetails(full_name="Tyler Whitlock", date_of_birth=date(2014, 9, 4)),
    ),
    DemoRequest(
        45,
        RequesterType.CARE_LEAVER,
        Channel.LETTER,
        PersonDetails(
            full_name="Kayleigh Marsden",
            previous_names=["Kayleigh Brown"],
            date_of_birth=date(1990, 4, 1),
        ),
        "My records from my time in care, 1995 to 2003, including paper files.",
        path=("searching",),
    ),
    DemoRequest(
        25,
        RequesterType.DATA_SUBJECT,
        Channel.IN_PERSON,
        PersonDetails(full_name="Priya Raman", phone="07700 900123"),
        "The notes of the meetings I attended.",
        path=("searching", "reviewing", "awaiting_approval"),
    ),
    DemoRequest(
        20,
        RequesterType.CHILD,
        Channel.ONLINE,
        PersonDetails(full_name="Jordan Ellis", email="jordan@example.org"),
        "What did you write about me?",
        path=("clarify",),
    ),
    DemoRequest(
        12,
        RequesterType.DATA_SUBJECT,
        Channel.EMAIL,
        PersonDetails(full_name="Sean Doherty", email="sean@example.org"),
        "My date of birth is wrong on your records: it is 3 May 1979, not 5 March.",
        right=Right.RECTIFICATION,
        path=("searching",),
        tasks=("check_accuracy",),
    ),
    DemoRequest(
        28,
        RequesterType.REPRESENTATIVE,
        Channel.EMAIL,
        PersonDetails(full_name="Hargreaves & Co Solicitors", email="sar@example.org"),
        "On behalf of our client, all records about her and her children since 2010.",
        subject=PersonDetails(full_name="Leanne Foster", date_of_birth=date(1984, 2, 11)),
        authority_after=2,
        extend="Records span 14 years across three services, with paper files off site.",
    ),
    DemoRequest(
        70,
        RequesterType.DATA_SUBJECT,
        Channel.LETTER,
        PersonDetails(full_name="Graham Pike"),
        "My file from 2018.",
        path=("searching", "reviewing", "awaiting_approval", "sent", "closed"),
    ),
)


@dataclass(frozen=True)
class AnsweredRequest:
    """A request of the past year, answered (sent, then closed) ``took`` days after it came:
    the history the assurance dashboard's "answered on time" measure and its trend read."""

    days_ago: int
    took: int
    requester: str
    extend: str | None = None


# One a month or so: most answered well inside the month, one lawfully extended and answered
# inside its extension, one answered late (the audit's point: SARs were sometimes late).
HISTORY: tuple[AnsweredRequest, ...] = (
    AnsweredRequest(345, 21, "Nadia Bell"),
    AnsweredRequest(318, 26, "Owen Pryce"),
    AnsweredRequest(287, 19, "Tariq Mahmood"),
    AnsweredRequest(
        262, 58, "Fiona Grant", extend="Paper files in three archives and two services' records."
    ),
    AnsweredRequest(240, 24, "Lewis Carter"),
    AnsweredRequest(196, 41, "Bethany Shaw"),  # late: no extension
    AnsweredRequest(165, 23, "Callum Reid"),
    AnsweredRequest(137, 27, "Amira Hussain"),
    AnsweredRequest(104, 17, "Ruth Okonjo"),
    AnsweredRequest(66, 25, "Declan Moss"),
)
ANSWER_PATH = ("searching", "reviewing", "awaiting_approval", "sent", "closed")


def _actor(db: Session, username: str) -> Actor | None:
    user = db.scalar(select(auth.User).where(auth.User.username == username))
    return user.actor if user is not None else None


def prepare(factory: sessionmaker[Session], kek: KeyEncryptionKeys, settings: Settings) -> None:
    """Idempotent: does nothing once any request exists, or without the demo IG accounts."""
    with session_scope(factory) as db:
        officer, dpo = _actor(db, OFFICER), _actor(db, DPO)
        if officer is None or dpo is None:
            return
        if db.scalar(select(SubjectAccessRequest.id).limit(1)) is not None:
            return
        region = Region.from_setting(settings.bank_holiday_region)
        today = clock.today()
        for demo in REQUESTS:
            _load(db, kek, officer, dpo, demo, today, region)
    for answered in HISTORY:
        _answer_in_the_past(factory, kek, answered, region)


def _answer_in_the_past(
    factory: sessionmaker[Session], kek: KeyEncryptionKeys, demo: AnsweredRequest, region: Region
) -> None:
    """Each step at the time it happened (the clock frozen then), so the request's timeline,
    its due date and the audit trail agree."""
    arrived = clock.now() - timedelta(days=demo.days_ago)
    with clock.frozen(arrived), session_scope(factory) as db:
        officer = _actor(db, OFFICER)
        assert officer is not None  # prepare() checked the demo accounts exist
        request = service.receive(
            db,
            kek,
            officer,
            SarCreate(
                right=Right.ACCESS,
                requester_type=RequesterType.DATA_SUBJECT,
                channel=Channel.EMAIL,
                received_on=clock.today(),
                requester=PersonDetails(full_name=demo.requester),
                description="Everything you hold about me.",
            ),
            default_region=region,
        )
        if demo.extend:
            service.extend(db, kek, officer, request.id, reasons=demo.extend)
        request_id = request.id
    with clock.frozen(arrived + timedelta(days=demo.took)), session_scope(factory) as db:
        officer, dpo = _actor(db, OFFICER), _actor(db, DPO)
        assert officer is not None and dpo is not None
        for step in ANSWER_PATH:
            # The response is approved by someone other than who prepared it.
            by = dpo if step == "sent" else officer
            service.move(db, kek, by, request_id, Status(step))


def _load(
    db: Session,
    kek: KeyEncryptionKeys,
    officer: Actor,
    dpo: Actor,
    demo: DemoRequest,
    today: date,
    region: Region,
) -> None:
    received = today - timedelta(days=demo.days_ago)
    data = SarCreate(
        right=demo.right,
        requester_type=demo.requester_type,
        channel=demo.channel,
        received_on=received,
        requester=demo.requester,
        subject=demo.subject,
        description=demo.description,
        id_required=demo.id_required,
    )
    request = service.receive(db, kek, officer, data, default_region=region)
    if demo.authority_after is not None:  # the search starts once it arrives
        arrived = received + timedelta(days=demo.authority_after)
        service.evidence_received(db, officer, request.id, authority_on=arrived)
    if demo.extend:
        service.extend(db, kek, officer, request.id, reasons=demo.extend)
    for step in demo.path:
        if step == "clarify":
            service.ask_clarification(
                db, officer, request.id, asked_on=received + timedelta(days=2)
            )
            continue
        # The response is approved by someone other than who prepared it.
        by = dpo if step == "sent" else officer
        service.move(db, kek, by, request.id, Status(step))
    if demo.tasks:
        service.complete_tasks(db, officer, request.id, demo.tasks)
