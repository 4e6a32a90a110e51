"""The evidence pack on the web and the API: the DPO builds it (the job runs at once in
tests), follows it to its page and downloads the zip; a caseworker is refused; another
reader sees the pack listed but cannot download it."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.assurance.pack.models import EvidencePack
from steward.core import auth
from steward.core.permissions import Role
from tests.retention.helpers import default_schedule
from tests.web.conftest import SignedIn, csrf_from

ApiToken = Callable[[Role], tuple[str, auth.User]]


def test_the_dpo_builds_and_downloads_the_pack(signed_in: SignedIn, db: Session) -> None:
    default_schedule(db)
    db.commit()
    dpo, _ = signed_in(Role.DPO)
    page = dpo.get("/assurance/evidence-pack")
    assert page.status_code == 200 and "Build the evidence pack" in page.text
    assert 'href="/assurance/evidence-pack" aria-current="page"' in page.text
    assert 'href="/assurance/evidence-pack"' in dpo.get("/assurance").text  # from the dashboard

    bad = dpo.post(
        "/assurance/evidence-pack",
        data={"csrf_token": csrf_from(dpo, "/assurance/evidence-pack"), "as_of-day": "40"},
    )
    assert bad.status_code == 422 and "govuk-error-summary" in bad.text

    started = dpo.post(
        "/assurance/evidence-pack", data={"csrf_token": csrf_from(dpo, "/assurance/evidence-pack")}
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job = dpo.get(started.headers["location"])
    assert job.status_code == 200 and "Evidence pack built" in job.text
    assert 'href="/assurance/evidence-pack/' in job.text
    listing = dpo.get("/assurance/evidence-pack")
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> packs" in listing.text

    [pack_id] = set(re.findall(r'href="/assurance/evidence-pack/(\d+)"', listing.text))
    stored = db.get(EvidencePack, int(pack_id))
    assert stored is not None and stored.status == "ready"
    pack = {"id": pack_id, "sha256": stored.sha256}
    one = dpo.get(f"/assurance/evidence-pack/{pack_id}")
    assert one.status_code == 200 and "Download the evidence pack" in one.text
    assert stored.sha256 and stored.sha256 in one.text
    download = dpo.get(f"/assurance/evidence-pack/{pack['id']}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["cache-control"] == "no-store"
    assert hashlib.sha256(download.content).hexdigest() == pack["sha256"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["role"] == "Data protection officer"
        assert "02-measures/measures.csv" in archive.namelist()

    # An auditor sees it listed, but the pack holds what the DPO's role reads: not theirs.
    auditor, _ = signed_in(Role.AUDITOR)
    theirs = auditor.get(f"/assurance/evidence-pack/{pack_id}")
    assert theirs.status_code == 200 and "Only the person who built this pack" in theirs.text
    assert auditor.get(f"/assurance/evidence-pack/{pack['id']}/download").status_code == 403

    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/assurance/evidence-pack").status_code == 403
    assert caseworker.get(f"/assurance/evidence-pack/{pack['id']}/download").status_code == 403


def test_the_api_starts_a_build_and_downloads_it(
    api_token: ApiToken, db: Session, client: TestClient
) -> None:
    default_schedule(db)
    db.commit()
    token, _ = api_token(Role.DPO)
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post(
        "/api/v1/assurance/evidence-packs", json={"as_of": "2999-01-01"}, headers=headers
    )
    assert refused.status_code == 422
    started = client.post("/api/v1/assurance/evidence-packs", json={}, headers=headers)
    assert started.status_code == 202, started.text
    body = started.json()
    assert started.headers["location"] == body["job"]["url"]
    followed = client.get(body["job"]["url"], headers=headers).json()
    assert followed["finished"] and followed["status"] == "done"  # run at once in tests
    pack = client.get(f"/api/v1/assurance/evidence-packs/{body['pack']['id']}", headers=headers)
    assert pack.status_code == 200 and pack.json()["status"] == "ready"
    zipped = client.get(pack.json()["download_url"], headers=headers)
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    assert hashlib.sha256(zipped.content).hexdigest() == pack.json()["sha256"]
    caseworker, _ = api_token(Role.CASEWORKER)
    denied = client.get(
        "/api/v1/assurance/evidence-packs", headers={"Authorization": f"Bearer {caseworker}"}
    )
    assert denied.status_code == 403
