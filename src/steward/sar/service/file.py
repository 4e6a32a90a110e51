"""The request's own file as a record: kept under the SAR class of the retention schedule
(two years after closure by default) and then destroyed through the same proven disposal as
cases: due list, disposal list with a decision per item and a second person's approval, one
item per transaction with holds re-checked, a tombstone and a certificate.

Retention cannot import this domain (it sits below it), so the request file is registered
with retention as a kind of record when this module is imported: the columns it is dated
from (closed_on is the trigger), and what destroying one means here. Destroying a request
destroys its data key first -- everything sealed under it (what the requester told us, the
timeline's notes, ID and authority documents, consultations, letters, the disclosure bundle
and its redaction log) can never be opened again, even from a backup -- then deletes the
request row, from which every table of the request cascades (bundles, their chunks and
delivery links included). The emails that carried a delivery link are shredded with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import crypto, outbox
from steward.core.errors import NotFound
from steward.core.permissions import Actor
from steward.retention.service import registry
from steward.sar.delivery_models import SarDeliveryLink
from steward.sar.models import SubjectAccessRequest
from steward.sar.search_models import SarHit, SourceKind, Triage

KIND = "sar_request"
CLASS_CODE = "SAR"
METHOD = (
    "Subject access request files: the request's data key destroyed (crypto-shredding: its "
    "details, notes, identity and authority documents, disclosure bundle and all else sealed "
    "under it), the emails that carried its download links destroyed, then the request and "
    "every row recorded with it deleted."
)


def destroy_request(db: Session, actor: Actor, request_id: int) -> registry.Destroyed:
    """Retention has checked the schedule, holds and approval; this is what destruction means
    for a request. Inside the caller's transaction."""
    request = db.get(SubjectAccessRequest, request_id)
    if request is None:
        raise NotFound("There is no request with that reference.")
    kept = registry.Destroyed(request.reference, request.received_on, request.closed_on)
    for message_id in db.scalars(
        select(SarDeliveryLink.outbox_message_id).where(
            SarDeliveryLink.request_id == request.id,
            SarDeliveryLink.outbox_message_id.is_not(None),
        )
    ).all():
        if message_id is not None:
            outbox.shred(db, actor, message_id)
    crypto.destroy_data_key(db, key_id=request.data_key_id)
    db.delete(request)  # its pauses and steps go with it; other tables cascade in the database
    db.flush()
    return kept


def requests_about(held_person_ids: Any) -> Any:
    """The requests whose search found one of these persons in scope: a hold on a person
    (litigation about them, say) keeps what they asked for and what we told them too."""
    return select(SarHit.request_id).where(
        SarHit.source == SourceKind.PERSON.value,
        SarHit.triage == Triage.IN_SCOPE.value,
        SarHit.target_id.in_(held_person_ids),
    )


REQUEST_FILE = registry.RegisteredKind(
    kind=KIND,
    label="subject access request file",
    class_code=CLASS_CODE,
    table=SubjectAccessRequest.__table__,
    id=SubjectAccessRequest.id,
    identifier=SubjectAccessRequest.reference,
    created=SubjectAccessRequest.received_on,
    closed=SubjectAccessRequest.closed_on,
    is_open=SubjectAccessRequest.closed_on.is_(None),
    destroy=destroy_request,
    method=METHOD,
    data_key=SubjectAccessRequest.data_key_id,
    held_through_persons=requests_about,
    link="/sar/requests/{id}",
)

registry.register(REQUEST_FILE)
