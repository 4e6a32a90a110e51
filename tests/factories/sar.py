"""Builder for subject access requests: one way to log a request in tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.sar import service
from steward.sar.clock import Region
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, RequesterType
from steward.sar.schemas import PersonDetails, SarCreate

REQUESTER = "Kayleigh Marsden"


def make_request(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, **changes: Any
) -> SubjectAccessRequest:
    """A request received by letter on 2 March 2026 from the person themselves, as staff log
    it; any SarCreate field can be changed (``requester=PersonDetails(...)``, ``right=...``)."""
    data: dict[str, Any] = {
        "requester_type": RequesterType.DATA_SUBJECT,
        "channel": Channel.LETTER,
        "received_on": date(2026, 3, 2),
        "requester": PersonDetails(full_name=REQUESTER, date_of_birth=date(1990, 4, 1)),
        "description": "Everything you hold about me and my time in care",
    } | changes
    return service.receive(
        db, kek, actor, SarCreate(**data), default_region=Region.ENGLAND_AND_WALES
    )
