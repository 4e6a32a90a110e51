"""An information-governance officer's decision on a held row: accept it as sent, correct it,
or reject it, always with a reason.

- ACCEPT records the row as the partner sent it (recording.record_row), with its source.
- CORRECT records it with the officer's corrected values, each checked by the same per-value
  rules the partner's file met (a bad one refuses the decision and changes nothing), and
  tells the partner (service/notices.py): the notice names the fields, the email to the
  partner's contacts gives the values before and after.
- REJECT records nothing.

For a row held as a person conflict or a possible match, the officer also says whether it
is the person already recorded (linked: they gain an NHS or NI number they lacked, and
nothing recorded about them is changed) or someone else (recorded as a new person). The reason is sealed on the row; the audit event names ids
and codes only. A decided row is not decided again (policy.ROW_ALLOWED).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, InvalidTransition, ValidationFailed
from steward.core.permissions import Actor
from steward.intake import policy
from steward.intake.datasets import Dataset
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, RowIssue, Submission, SubmissionRow
from steward.intake.policy import Code, Decision, RowOutcome
from steward.intake.service import notices, recording
from steward.intake.service.processing import received_on
from steward.intake.service.review import (
    PERSON_CODES,
    SUBJECT,
    dataset_of,
    get_row,
    require_reviewer,
)
from steward.intake.service.values import Values, blank, check_row, open_values
from steward.records import service as records

REASON_MAX = 5000
# The values an officer may type: longer than any field allows, so TOO_LONG still speaks.
VALUE_MAX = 5000

EVENTS = {
    Decision.ACCEPT: IntakeEvent.ROW_ACCEPTED,
    Decision.CORRECT: IntakeEvent.ROW_CORRECTED,
    Decision.REJECT: IntakeEvent.ROW_REJECTED,
}


@dataclass(frozen=True)
class Decided:
    row_id: int
    outcome: RowOutcome
    decision: Decision
    person_id: int | None
    document_id: int | None
    linked: bool
    corrected_fields: list[str]
    notice_id: int | None
    messages: int  # notice emails put in the outbox


def _reason(reason: str, errors: dict[str, str]) -> str:
    text = reason.strip()
    if not text:
        errors["reason"] = "Enter the reason for your decision"
    elif len(text) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    return text


def _tidy(value: str | None) -> str | None:
    return None if blank(value) else (value or "").strip()


def corrections(
    db: Session,
    dataset: Dataset,
    values: Values,
    corrected: Mapping[str, str | None],
    *,
    on: date,
) -> tuple[dict[str, tuple[str | None, str | None]], dict[str, str]]:
    """The values that change, (as sent, as corrected and normalised) by field, and any rule
    a corrected value breaks, as field -> the rule's message. A value typed another way that
    is the same once normalised (02/03/2015 for 2015-03-02) is no change."""
    errors: dict[str, str] = {}
    typed: dict[str, str | None] = {}
    for name, value in corrected.items():
        try:
            field = dataset.field(name)
        except KeyError:
            errors[name] = "This is not a field of the data set"
            continue
        if value is not None and len(value) > VALUE_MAX:
            errors[name] = policy.MESSAGES[Code.TOO_LONG]
        elif _tidy(value) == _tidy(values.get(name)):
            continue
        elif field.opinion:
            # A professional's view is the partner's own: changed, it would no longer be.
            errors[name] = "This is the partner's opinion: it cannot be corrected"
        else:
            typed[name] = _tidy(value)
    if not typed:
        return {}, errors
    normalised, broken = check_row(db, dataset, {**values, **typed}, on=on)
    changes: dict[str, tuple[str | None, str | None]] = {}
    for name in typed:
        if name in broken:
            errors[name] = policy.MESSAGES[broken[name]]
        elif normalised.get(name) != values.get(name):
            changes[name] = (values.get(name), normalised.get(name))
    return changes, errors


def decide(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    row_id: int,
    decision: Decision | str,
    reason: str,
    corrected: Mapping[str, str | None] | None = None,
    link_to_candidate: bool | None = None,
    settings: Settings | None = None,
) -> Decided:
    require_reviewer(db, actor)
    row, submission, partner = get_row(db, row_id)
    try:
        decision = Decision(decision)
    except ValueError:
        raise ValidationFailed(
            "Choose what to do with the row.",
            errors={"decision": "Choose accept, correct or reject"},
        ) from None
    target = RowOutcome.REJECTED if decision is Decision.REJECT else RowOutcome.ACCEPTED
    if not policy.can_move(RowOutcome(row.outcome), target):
        raise InvalidTransition("This row has already been decided: it cannot be decided again.")
    errors: dict[str, str] = {}
    text = _reason(reason, errors)
    dataset = dataset_of(submission)
    values = open_values(db, kek, row)
    # A date that must be in the past is judged on the day the file came, as the file was.
    on = received_on(submission)
    changes: dict[str, tuple[str | None, str | None]] = {}
    if decision is Decision.CORRECT:
        changes, wrong = corrections(db, dataset, values, corrected or {}, on=on)
        errors |= wrong
        if not changes and not wrong:
            errors["corrected"] = "Change at least one value, or accept the row as it was sent"
    elif corrected and corrections(db, dataset, values, corrected, on=on)[0]:
        errors["corrected"] = "Choose to correct the row if you change its values"
    codes = set(db.scalars(select(RowIssue.code).where(RowIssue.row_id == row.id)))
    linked = _linked(row, decision, codes, link_to_candidate, errors)
    if errors:
        raise ValidationFailed("Check your decision.", errors=errors)
    final = {**values, **{name: new for name, (_, new) in changes.items()}}
    case_id = row.case_id
    if "case_number" in changes:
        case_id = records.case_id_for_number(db, final["case_number"] or "")
    if target is RowOutcome.ACCEPTED and case_id is None:
        raise ValidationFailed(
            "The row names no case to record it in.",
            errors={"case_number": "Correct the case number"},
        )
    with db.begin_nested():  # a refusal below (an identifier already held) changes nothing
        recorded = None
        if target is RowOutcome.ACCEPTED:
            agreement = (
                db.get(Agreement, submission.agreement_id) if submission.agreement_id else None
            )
            if agreement is None:
                raise Conflict("The submission names no agreement: it cannot be recorded.")
            assert case_id is not None
            recorded = recording.record_row(
                db,
                kek,
                dataset=dataset,
                values=final,
                case_id=case_id,
                person_id=row.person_id if linked else None,
                source=recording.Source(partner, agreement, submission, row.row_number),
            )
        _settle(db, kek, actor, row, submission, decision, target, text, recorded, case_id)
        audit.record(
            db,
            actor,
            EVENTS[decision],
            subject_type=SUBJECT,
            subject_id=row.id,
            details={
                "submission_id": submission.id,
                "partner_id": partner.id,
                "codes": sorted(codes),
                "person_id": row.person_id,
                "document_id": row.document_id,
                "linked": linked,
                "fields": sorted(changes),
            },
        )
        told = None
        if changes:
            told = notices.tell(
                db,
                kek,
                actor,
                partner=partner,
                submission=submission,
                row_number=row.row_number,
                changes=changes,
                origin=notices.FROM_REVIEW,
                how="We corrected the values below before recording the row.",
                settings=settings,
            )
    return Decided(
        row_id=row.id,
        outcome=target,
        decision=decision,
        person_id=row.person_id,
        document_id=row.document_id,
        linked=linked,
        corrected_fields=sorted(changes),
        notice_id=told.notice.id if told else None,
        messages=told.messages if told else 0,
    )


def _linked(
    row: SubmissionRow,
    decision: Decision,
    codes: set[str],
    link: bool | None,
    errors: dict[str, str],
) -> bool:
    """Whether the row is recorded against the candidate person: asked when the row was held
    over who the person is; an exact match (held for another reason) is linked."""
    if decision is Decision.REJECT:
        return False
    if row.person_id is None:
        if link:
            errors["link"] = "There is no recorded person to link this row to"
        return False
    if codes & {c.value for c in PERSON_CODES}:
        if link is None:
            errors["link"] = "Say whether this is the person already recorded"
            return False
        return link
    return True if link is None else link


def _settle(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    row: SubmissionRow,
    submission: Submission,
    decision: Decision,
    target: RowOutcome,
    reason: str,
    recorded: recording.Recorded | None,
    case_id: int | None,
) -> None:
    """The row's outcome, decision, sealed reason and what it became; the submission's
    counts move with it."""
    if submission.data_key_id is None:
        raise Conflict("What the partner sent in this row has been destroyed.")
    now = clock.now()
    row.outcome = target.value
    row.decision = decision.value
    row.decision_reason_sealed = crypto.seal(
        db,
        kek,
        key_id=submission.data_key_id,
        plaintext=reason.encode(),
        context=policy.reason_context(row.id),
    )
    row.decided_by_user_id = actor.user_id
    row.decided_at = now
    if recorded is not None:
        row.person_id = recorded.person_id
        row.document_id = recorded.document_id
        row.case_id = case_id
        row.recorded_at = now
    submission.quarantined -= 1
    setattr(submission, target.value, getattr(submission, target.value) + 1)
    db.flush()
