"""The page actions that had no API until issue 17 part C, through the API: an account's team,
lock, activity, two-factor and password; a case reallocated in a manager's team; the
retention sweep as a job; the archive's certificate, inventory (checked, imported as a job)
and export. Each does what its page does, through the same service, with one audit event,
and refuses bad input and other roles with nothing changed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.models import ArchiveBox
from steward.core import accounts, auth
from steward.core.audit import AuditEvent, EventTag
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import CaseAssignment
from steward.retention.service import schedules
from tests.archives import builders
from tests.factories.core import make_user
from tests.factories.records import make_case

ApiToken = Callable[[Role], tuple[str, auth.User]]
API = "/api/v1"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _tags_since(db: Session, count: int) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq).offset(count)))


# --- accounts ----------------------------------------------------------------------------


def test_an_administrator_runs_each_account_action_through_the_api(
    client: TestClient, api_token: ApiToken, db: Session, settings: Settings
) -> None:
    secret, _ = api_token(Role.ADMIN)
    headers = _bearer(secret)
    worker = make_user(db, Role.AUDITOR)
    db.commit()
    for _ in range(settings.max_login_failures):
        auth.sign_in(db, settings, username=worker.username, password="not the password")
    db.commit()
    url = f"{API}/users/{worker.id}"

    shown = client.get(url, headers=headers).json()
    assert (shown["username"], shown["locked"], shown["is_active"]) == (
        worker.username,
        True,
        True,
    )

    before = _count(db)
    unlocked = client.post(f"{url}/unlock", headers=headers)
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    assert _tags_since(db, before)[-1] == EventTag.USER_UNLOCKED
    again = client.post(f"{url}/unlock", headers=headers)
    assert again.status_code == 409 and "not locked" in again.json()["detail"]

    team = client.post(f"{url}/team", headers=headers, json={"team": "North"})
    assert team.status_code == 200 and team.json()["team"] == "North"
    same = client.post(f"{url}/team", headers=headers, json={"team": "North"})
    assert same.status_code == 422 and same.json()["errors"]["team"]
    too_long = client.post(f"{url}/team", headers=headers, json={"team": "x" * 65})
    assert too_long.status_code == 422 and "team" in too_long.json()["errors"]

    required = client.post(f"{url}/two-factor", headers=headers)
    assert required.status_code == 200 and required.json()["two_factor_required"] is True
    assert client.post(f"{url}/two-factor", headers=headers).status_code == 409

    before = _count(db)
    reset = client.post(f"{url}/password", headers=headers, json={})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    temporary = reset.json()["temporary_password"]
    assert temporary and len(temporary) == 19
    trail = db.scalars(select(AuditEvent).order_by(AuditEvent.seq).offset(before)).all()
    assert [e.tag for e in trail] == [EventTag.USER_PASSWORD_RESET]
    assert temporary not in repr([e.details for e in trail])
    chosen = client.post(f"{url}/password", headers=headers, json={"password": "password"})
    assert chosen.status_code == 422  # a common password changes nothing

    deactivated = client.post(f"{url}/deactivate", headers=headers)
    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    assert client.post(f"{url}/deactivate", headers=headers).status_code == 409
    reactivated = client.post(f"{url}/reactivate", headers=headers)
    assert reactivated.status_code == 200 and reactivated.json()["is_active"] is True


def test_account_actions_are_the_administrators_and_not_on_ones_own_account(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    admin_secret, admin = api_token(Role.ADMIN)
    dpo_secret, _ = api_token(Role.DPO)
    worker = make_user(db, Role.CASEWORKER)
    db.commit()
    before = _count(db)
    for action in ("unlock", "deactivate", "reactivate", "two-factor"):
        refused = client.post(f"{API}/users/{worker.id}/{action}", headers=_bearer(dpo_secret))
        assert refused.status_code == 403, action
    mine = client.post(f"{API}/users/{admin.id}/deactivate", headers=_bearer(admin_secret))
    assert mine.status_code == 409 and "your own" in mine.json()["detail"]
    content = client.post(
        f"{API}/users/{worker.id}/password", headers=_bearer(admin_secret), json={}
    )
    assert content.status_code == 403  # reads case content: reset at the command line
    missing = client.get(f"{API}/users/987654321", headers=_bearer(admin_secret))
    assert missing.status_code == 404
    hostile = client.post(
        f"{API}/users/{worker.id}/team", headers=_bearer(admin_secret), json={"team": 7}
    )
    assert hostile.status_code == 422
    db.refresh(worker)
    assert worker.is_active and not worker.two_factor_required and worker.team is None
    tags = _tags_since(db, before)
    assert EventTag.USER_DEACTIVATED not in tags and EventTag.USER_TOTP_REQUIRED not in tags
    assert accounts.is_locked(worker) is False


# --- a case reallocated --------------------------------------------------------------------


def test_a_manager_reallocates_a_team_case_to_a_worker_of_the_team(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, manager = api_token(Role.MANAGER)
    manager.team = "North"
    holder = make_user(db, Role.CASEWORKER, team="North")
    taker = make_user(db, Role.CASEWORKER, team="North")
    outsider = make_user(db, Role.CASEWORKER, team="South")
    case = make_case(db, keyring)
    case.team = "North"
    records.assign(db, Actor.system(), case_id=case.id, user_id=holder.id)
    db.commit()
    headers = _bearer(secret)

    workers = client.get(f"{API}/team/workers", headers=headers).json()
    found = {w["username"]: w["open_cases"] for w in workers["items"]}
    assert found == {holder.username: 1, taker.username: 0, manager.username: 0}
    assert workers["total"] == 3 and outsider.username not in found

    url = f"{API}/cases/{case.id}/reallocation"
    wrong = client.post(url, headers=headers, json={"user_id": outsider.id})
    assert wrong.status_code == 422 and wrong.json()["errors"]["user_id"]
    moved = client.post(url, headers=headers, json={"user_id": taker.id})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["allocated_to"] == [taker.username] and body["taken_from"] == [holder.username]
    assert body["case_number"] == case.case_number
    held = db.scalars(select(CaseAssignment.user_id).where(CaseAssignment.case_id == case.id))
    assert set(held) == {taker.id}

    worker_secret, _ = api_token(Role.CASEWORKER)
    refused = client.post(url, headers=_bearer(worker_secret), json={"user_id": holder.id})
    assert refused.status_code == 403
    assert client.get(f"{API}/team/workers", headers=_bearer(worker_secret)).status_code == 403


# --- retention ----------------------------------------------------------------------------


def test_the_retention_sweep_starts_a_job_followed_through_the_api(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    schedules.ensure_default(db, Actor.system())
    db.commit()
    secret, _ = api_token(Role.IG_OFFICER)
    started = client.post(f"{API}/retention/due/sweep", headers=_bearer(secret))
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == job["url"] == f"{API}/jobs/{job['id']}"
    followed = client.get(job["url"], headers=_bearer(secret)).json()
    assert followed["finished"] is True and followed["status"] == "done"
    worker, _ = api_token(Role.CASEWORKER)
    assert client.post(f"{API}/retention/due/sweep", headers=_bearer(worker)).status_code == 403


# --- the paper archive's files -----------------------------------------------------------


def test_a_destruction_certificate_is_uploaded_and_reconciled_through_the_api(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    box = builders.box(db, builders.location(db, off_site=True))
    sent = [builders.paper_file(db, box, reference=f"APICERT-{i}") for i in range(2)]
    archives.mark_for_destruction(
        db, actor=Actor.system(), file_ids=[f.id for f in sent], reference="D-API"
    )
    db.commit()
    secret, _ = api_token(Role.DPO)
    headers = _bearer(secret)
    url = f"{API}/archives/certificates"

    bad = client.post(
        url,
        headers=headers,
        data={"reference": "D-API"},
        files={"file": ("cert.csv", b"what,ever\r\n1,2\r\n", "text/csv")},
    )
    assert bad.status_code == 422 and "box_barcode" in bad.json()["detail"]
    as_json = client.post(url, headers=headers, json={"reference": "D-API"})
    assert as_json.status_code == 415
    content = b"file_reference\r\nAPICERT-0\r\n=EVIL()\r\n"
    good = client.post(
        url,
        headers=headers,
        data={"reference": "D-API"},
        files={"file": ("cert.csv", content, "text/csv")},
    )
    assert good.status_code == 201, good.text
    body = good.json()
    assert body["destroyed"] == ["APICERT-0"] and body["missing"] == ["APICERT-1"]
    assert "=EVIL()" in body["unexpected"]
    assert good.headers["location"] == f"{url}/{body['certificate_id']}"
    assert client.get(good.headers["location"], headers=headers).status_code == 200
    twice = client.post(
        url,
        headers=headers,
        data={"reference": "D-API"},
        files={"file": ("cert.csv", content, "text/csv")},
    )
    assert twice.status_code == 409


def test_an_inventory_is_checked_then_imported_as_a_job_whole_or_not_at_all(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    headers = _bearer(secret)
    bad = (
        "box_barcode,file_reference,date_from\n"
        "APIINV-BOX-1,APIINV-F-1,2001-02-03\n"
        "APIINV-BOX-2,APIINV-F-2,3 March 2001\n"
    )
    checked = client.post(
        f"{API}/archives/inventory/check",
        headers=headers,
        files={"file": ("inventory.csv", bad.encode(), "text/csv")},
    ).json()
    assert checked["ok"] is False and checked["rows"] == 2
    assert [f["line"] for f in checked["failures"]] == [3]
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "APIINV-BOX-1")) is None

    refused = client.post(
        f"{API}/archives/inventory",
        headers=headers,
        files={"file": ("inventory.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 202
    failed = client.get(refused.headers["location"], headers=headers).json()
    assert failed["status"] == "failed" and "3" in (failed["error"] or "")
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "APIINV-BOX-1")) is None

    good = bad.replace("3 March 2001", "2001-03-03")
    imported = client.post(
        f"{API}/archives/inventory",
        headers=headers,
        files={"file": ("inventory.csv", good.encode(), "text/csv")},
    )
    done = client.get(imported.headers["location"], headers=headers).json()
    assert done["status"] == "done", done
    db.expire_all()
    assert db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == "APIINV-BOX-2")) is not None
    nothing = client.post(f"{API}/archives/inventory", headers=headers, files={"x": ("", b"")})
    assert nothing.status_code == 422
    # What is no inventory at all is refused at once, and no job is queued for it.
    not_one = client.post(
        f"{API}/archives/inventory",
        headers=headers,
        files={"file": ("inventory.csv", b'{"=cmd|": "<script>"}', "text/csv")},
    )
    assert not_one.status_code == 422 and "Nothing was imported" in not_one.json()["detail"]
    assert "<script>" not in not_one.text


def test_the_inventory_export_neutralises_formulas_and_is_archive_staffs(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    builders.paper_file(db, builders.box(db, builders.location(db)), reference="=HYPERLINK(1)")
    db.commit()
    secret, _ = api_token(Role.IG_OFFICER)
    export = client.get(f"{API}/archives/export.csv", headers=_bearer(secret))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in export.text and ",=HYPERLINK" not in export.text
    worker, _ = api_token(Role.CASEWORKER)
    assert client.get(f"{API}/archives/export.csv", headers=_bearer(worker)).status_code == 403
