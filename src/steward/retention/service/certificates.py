"""The destruction certificate of a carried-out disposal list: what rules, how many
destroyed, sent to the contractor and kept, who proposed, decided, approved and executed
(user ids, named by their usernames when read), the method, and the SHA-256 of the list. No
personal data of the records destroyed; read as a page, through the API, as a PDF to sign
and file (certificate_pdf.py), and in the auditor's evidence pack."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, auth, clock
from steward.core.db import session_scope
from steward.core.errors import NotFound
from steward.core.permissions import Actor, Permission
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    DisposalCertificate,
    DisposalItem,
    DisposalList,
    DisposalStatus,
    Outcome,
)
from steward.retention.service import registry

METHOD_SQLITE = (
    "Case data key destroyed (crypto-shredding); documents, sealed content, parties, search "
    "entries and persons no retained record refers to deleted with secure_delete; database "
    "vacuumed and its write-ahead log checkpointed and truncated."
)
METHOD_POSTGRESQL = (
    "Case data key destroyed (crypto-shredding); documents, sealed content, parties, search "
    "entries and persons no retained record refers to deleted; tables vacuumed."
)
PAPER_METHOD = (
    "Paper files sent to the storage contractor for destruction under the list's reference."
)


def list_digest(items: list[DisposalItem]) -> str:
    """SHA-256 of the list as destroyed: identifiers, classes, rule versions, dates, outcomes."""
    lines = [
        json.dumps(
            [
                i.record_kind,
                i.identifier,
                i.class_code,
                i.rule_version,
                i.schedule_version,
                i.due_on.isoformat(),
                i.decision,
                i.outcome,
            ],
            separators=(",", ":"),
        )
        for i in sorted(items, key=lambda i: i.id)
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def issue(factory: sessionmaker[Session], actor: Actor, list_id: int) -> int:
    """The list's certificate, issued once (a rerun of the execution returns the same one)."""
    with session_scope(factory) as db:
        disposal = db.get(DisposalList, list_id)
        assert disposal is not None
        existing = db.scalar(
            select(DisposalCertificate).where(DisposalCertificate.list_id == list_id)
        )
        if existing is not None:
            return existing.id
        items = list(disposal.items)
        destroyed = [i for i in items if i.outcome == Outcome.DESTROYED]
        paper = [i for i in items if i.outcome == Outcome.MARKED_FOR_CONTRACTOR]
        method = METHOD_SQLITE if db.get_bind().dialect.name == "sqlite" else METHOD_POSTGRESQL
        if paper:
            method += " " + PAPER_METHOD
        for kind in registry.registered():
            if any(i.record_kind == kind.kind for i in destroyed):
                method += " " + kind.method
        rules = sorted(
            {(i.class_code, i.rule_version, i.schedule_version) for i in destroyed + paper}
        )
        certificate = DisposalCertificate(
            list_id=list_id,
            reference=f"DC-{disposal.reference.removeprefix('DL-')}",
            issued_at=clock.now(),
            destroyed_count=len(destroyed),
            paper_count=len(paper),
            kept_count=len(items) - len(destroyed) - len(paper),
            method=method,
            rules=json.dumps(
                [{"class": c, "rule_version": v, "schedule_version": s} for c, v, s in rules]
            ),
            approvers=json.dumps(
                {
                    "proposed_by": disposal.proposed_by_user_id,
                    "decided_by": sorted({i.decided_by_user_id or 0 for i in items}),
                    "approved_by": disposal.approved_by_user_id,
                    "executed_by": actor.user_id,
                }
            ),
            sha256=list_digest(items),
        )
        db.add(certificate)
        disposal.status = DisposalStatus.COMPLETED
        disposal.completed_at = clock.now()
        db.flush()
        audit.record(
            db,
            actor,
            RetentionAudit.DISPOSAL_COMPLETED,
            subject_type="disposal_list",
            subject_id=list_id,
            details={
                "certificate_id": certificate.id,
                "destroyed": len(destroyed),
                "paper": len(paper),
            },
        )
        return certificate.id


@dataclass(frozen=True)
class Rule:
    class_code: str
    rule_version: int
    schedule_version: int


@dataclass(frozen=True)
class Certificate:
    """A certificate as people read it: each step's person by username, never by id."""

    reference: str
    list_id: int
    list_reference: str
    issued_at: datetime
    destroyed_count: int
    paper_count: int
    kept_count: int
    method: str
    rules: list[Rule]
    proposed_by: str | None
    decided_by: list[str]
    approved_by: str | None
    executed_by: str | None
    sha256: str

    @property
    def steps(self) -> list[tuple[str, str]]:
        """Who took each step, as the page and the PDF name them."""
        return [
            # A list proposed by a scheduled run or the command line has no person behind it.
            ("Proposed by", self.proposed_by or "Steward itself (no person)"),
            ("Decided by", ", ".join(self.decided_by) or "Not recorded"),
            ("Approved by (a second person)", self.approved_by or "Not recorded"),
            ("Carried out by", self.executed_by or "Not recorded"),
        ]


_STEPS = ("proposed_by", "approved_by", "executed_by")


def _user_ids(steps: dict[str, Any]) -> list[int]:
    ids = [steps.get(k) for k in _STEPS] + list(steps.get("decided_by", []))
    return [u for u in ids if isinstance(u, int) and u]


def _read(
    certificate: DisposalCertificate, list_reference: str, names: dict[int, str]
) -> Certificate:
    steps: dict[str, Any] = json.loads(certificate.approvers)

    def name(user_id: object) -> str | None:
        return names.get(user_id) if isinstance(user_id, int) and user_id else None

    decided = (name(u) for u in steps.get("decided_by", []))
    return Certificate(
        reference=certificate.reference,
        list_id=certificate.list_id,
        list_reference=list_reference,
        issued_at=certificate.issued_at,
        destroyed_count=certificate.destroyed_count,
        paper_count=certificate.paper_count,
        kept_count=certificate.kept_count,
        method=certificate.method,
        rules=[
            Rule(r["class"], int(r["rule_version"]), int(r["schedule_version"]))
            for r in json.loads(certificate.rules)
        ],
        proposed_by=name(steps.get("proposed_by")),
        decided_by=sorted(n for n in decided if n is not None),
        approved_by=name(steps.get("approved_by")),
        executed_by=name(steps.get("executed_by")),
        sha256=certificate.sha256,
    )


def _with_list_reference() -> Select[DisposalCertificate, str]:
    return select(DisposalCertificate, DisposalList.reference).join(
        DisposalList, DisposalList.id == DisposalCertificate.list_id
    )


def _named(db: Session, found: list[tuple[DisposalCertificate, str]]) -> list[Certificate]:
    ids = [u for certificate, _ in found for u in _user_ids(json.loads(certificate.approvers))]
    names = auth.usernames(db, ids)
    return [_read(certificate, reference, names) for certificate, reference in found]


def issued_by(db: Session, actor: Actor, *, until: date) -> list[Certificate]:
    """Every certificate issued by the end of ``until``, oldest first: for the auditor's
    evidence pack. A certificate holds no personal data of the records destroyed, so those
    who read the assurance evidence see them as they see the schedule."""
    if not actor.can(Permission.ASSURANCE_VIEW):
        actor.require(Permission.RETENTION_MANAGE)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    rows = db.execute(
        _with_list_reference()
        .where(DisposalCertificate.issued_at < end)
        .order_by(DisposalCertificate.issued_at, DisposalCertificate.id)
    )
    return _named(db, [(certificate, reference) for certificate, reference in rows])


def certificate_for(db: Session, actor: Actor, *, list_id: int) -> Certificate:
    actor.require(Permission.RETENTION_MANAGE)
    found = db.execute(_with_list_reference().where(DisposalCertificate.list_id == list_id)).first()
    if found is None:
        raise NotFound("This list has no certificate yet: it has not been carried out.")
    certificate, list_reference = found
    return _named(db, [(certificate, list_reference)])[0]


def digest_holds(db: Session, certificate: Certificate) -> bool:
    """Whether the list kept in Steward still gives the certificate's SHA-256: its items as
    they were destroyed, unchanged since."""
    items = db.scalars(select(DisposalItem).where(DisposalItem.list_id == certificate.list_id))
    return list_digest(list(items)) == certificate.sha256
