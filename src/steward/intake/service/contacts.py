"""The named people at a partner: who is sent the feedback on each submission and word of
every correction made to the partner's data. Staff data of another organisation, not
children's: each change is on record, by contact id (never the name or address)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Actor
from steward.intake.events import IntakeEvent
from steward.intake.models import PartnerContact
from steward.intake.policy import email_ok
from steward.intake.service.partners import MANAGE, NAME_MAX, get_partner

EMAIL_MAX = 320


def contacts(db: Session, partner_id: int) -> list[PartnerContact]:
    return list(
        db.scalars(
            select(PartnerContact)
            .where(PartnerContact.partner_id == partner_id)
            .order_by(PartnerContact.name, PartnerContact.id)
        )
    )


def add_contact(
    db: Session,
    actor: Actor,
    partner_id: int,
    *,
    name: str,
    email: str,
    job_title: str | None = None,
    receives_notices: bool = True,
) -> PartnerContact:
    actor.require(MANAGE)
    get_partner(db, partner_id)
    name, email, title = name.strip(), email.strip(), (job_title or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the contact's name"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    if not email:
        errors["email"] = "Enter the contact's email address"
    elif len(email) > EMAIL_MAX or not email_ok(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if len(title) > NAME_MAX:
        errors["job_title"] = f"The job title must be {NAME_MAX} characters or fewer"
    if errors:
        raise ValidationFailed("Check the contact's details.", errors=errors)
    contact = PartnerContact(
        partner_id=partner_id,
        name=name,
        email=email,
        job_title=title or None,
        receives_notices=receives_notices,
    )
    db.add(contact)
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.CONTACT_ADDED,
        subject_type="partner",
        subject_id=partner_id,
        details={"contact_id": contact.id, "receives_notices": receives_notices},
    )
    return contact


def remove_contact(db: Session, actor: Actor, partner_id: int, contact_id: int) -> None:
    actor.require(MANAGE)
    contact = db.get(PartnerContact, contact_id)
    if contact is None or contact.partner_id != partner_id:
        raise NotFound("This partner has no such contact.")
    db.delete(contact)
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.CONTACT_REMOVED,
        subject_type="partner",
        subject_id=partner_id,
        details={"contact_id": contact_id},
    )
