"""The letters pages as the IG team uses them: wording edited and previewed (a bad edit sent
back with what is wrong), a letter made, downloaded, emailed into the outbox and read there;
nobody else gets in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel
from steward.sar.schemas import PersonDetails
from tests.factories.core import make_user
from tests.factories.sar import make_request
from tests.sar.test_letters import flat, pdf_text
from tests.web.conftest import SignedIn, csrf_from


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _request(db: Session, keyring: FileKeyring) -> SubjectAccessRequest:
    officer = make_user(db, Role.IG_OFFICER)
    found = make_request(
        db,
        keyring,
        officer.actor,
        channel=Channel.EMAIL,
        requester=PersonDetails(
            full_name="Kayleigh Marsden", address="12 Mill Lane\nLeeds", email="km@example.org"
        ),
    )
    db.commit()
    return found


def test_wording_is_previewed_refused_with_a_reason_and_saved(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    listed = client.get("/sar/letter-templates")
    assert listed.status_code == 200
    assert (
        "We cannot comply with your request" in listed.text and 'aria-current="page"' in listed.text
    )
    page = client.get("/sar/letter-templates?kind=refusal")
    assert page.status_code == 200 and "Information Commissioner" in page.text
    token = csrf_from(client, "/sar/letter-templates?kind=refusal")
    preview = client.post(
        "/sar/letter-templates",
        data={
            "kind": "refusal",
            "body": "Dear {{ requester_name }}, about {{ reference }}.",
            "action": "preview",
            "csrf_token": token,
        },
    )
    assert preview.status_code == 200
    assert "Dear Sam Sample, about SAR-2026-00042." in preview.text
    bad = client.post(
        "/sar/letter-templates",
        data={
            "kind": "refusal",
            "body": "{{ ''.__class__ }}",
            "action": "save",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert "<title>Error: " in bad.text and "may not" in bad.text
    assert "{{ &#39;&#39;.__class__ }}" in bad.text  # sent back as typed, escaped
    assert "As supplied with Steward" in client.get("/sar/letter-templates").text
    saved = client.post(
        "/sar/letter-templates",
        data={
            "kind": "refusal",
            "body": "Dear {{ requester_name }},\n\nNo, because {{ reasons }}",
            "action": "save",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/sar/letter-templates?kind=refusal&saved=1"
    assert "Version 1" in client.get(saved.headers["location"]).text
    unknown = client.get("/sar/letter-templates?kind=poem")
    assert unknown.status_code == 422


def test_a_letter_is_made_downloaded_emailed_and_read_in_the_outbox(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    request = _request(db, keyring)
    client, _ = signed_in(Role.IG_OFFICER)
    base = f"/sar/requests/{request.id}/letters"
    page = client.get(base)
    assert page.status_code == 200 and "No letters have been made" in page.text
    token = csrf_from(client, base)
    missing = client.post(base, data={"kind": "", "csrf_token": token})
    assert missing.status_code == 422 and "Choose which letter to make" in missing.text
    no_fee = client.post(base, data={"kind": "fee", "csrf_token": token})
    assert no_fee.status_code == 422 and 'href="#fee_amount"' in no_fee.text
    made = client.post(base, data={"kind": "acknowledgement", "csrf_token": token})
    assert made.status_code == 303
    listing = client.get(made.headers["location"])
    assert "The letter has been made" in listing.text and "Not sent" in listing.text
    letter_id = int(re.search(rf"{base}/(\d+)/download", listing.text).group(1))  # type: ignore[union-attr]
    download = client.get(f"{base}/{letter_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "SAR-2026-00001-acknowledgement.pdf" in download.headers["content-disposition"]
    assert "Kayleigh Marsden" in flat(pdf_text(download.content))

    emailed = client.post(f"{base}/{letter_id}/email", data={"csrf_token": token})
    assert emailed.status_code == 303 and emailed.headers["location"].endswith("done=queued")
    assert "waiting in the outbox" in client.get(emailed.headers["location"]).text
    again = client.post(f"{base}/{letter_id}/posted", data={"csrf_token": token})
    assert again.status_code == 409 and "already emailed" in again.text

    box = client.get("/outbox")
    assert box.status_code == 200
    assert "km@example.org" in box.text and "Your request SAR-2026-00001" in box.text
    message_id = int(re.search(r'href="/outbox/(\d+)"', box.text).group(1))  # type: ignore[union-attr]
    message = client.get(f"/outbox/{message_id}")
    assert message.status_code == 200 and "Dear Kayleigh Marsden," in message.text
    attachment = client.get(f"/outbox/{message_id}/attachments/1/download")
    assert attachment.status_code == 200 and attachment.content.startswith(b"%PDF")
    assert client.get(f"/outbox/{message_id}/attachments/2/download").status_code == 404


def test_others_are_kept_out(signed_in: SignedIn, db: Session, keyring: FileKeyring) -> None:
    request = _request(db, keyring)
    client, _ = signed_in(Role.CASEWORKER)
    for path in ("/outbox", "/sar/letter-templates", f"/sar/requests/{request.id}/letters"):
        assert client.get(path).status_code == 403, path
    token = csrf_from(client, "/account")
    made = client.post(
        f"/sar/requests/{request.id}/letters", data={"kind": "acknowledgement", "csrf_token": token}
    )
    assert made.status_code == 403
