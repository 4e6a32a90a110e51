"""Records that cannot be dated are listed one by one, with what each lacks and a link to
where it is fixed, on the page, the command line and the JSON API; never with names."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.schemas import NameOnFile, PaperFileCreate
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.models import CaseType
from steward.retention.service import dates, undatable
from tests.cli.conftest import Cli
from tests.retention.helpers import case_with_children, default_schedule
from tests.retention.test_cli import _keyring
from tests.web.conftest import SignedIn


def _undatable_records(db: Session, keyring: FileKeyring) -> dict[str, str]:
    """Four records the default schedule cannot date, each for its own reason."""
    no_birth = case_with_children(db, keyring, None, date(2010, 1, 1))  # one child undated
    no_child = case_with_children(db, keyring)  # nobody in the child role
    adoption = case_with_children(db, keyring, date(2015, 1, 1), case_type=CaseType.ADOPTION)
    archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(
            file_reference="PF-SAR-OPENENDED",
            record_class="SAR",
            date_from=date(2019, 3, 1),
            names=[NameOnFile(name="Requester Name", role="applicant")],
        ),
    )
    return {
        no_birth.case_number: "a child subject has no date of birth",
        no_child.case_number: "no child subject recorded",
        adoption.case_number: "no adoption order date recorded",
        "PF-SAR-OPENENDED": "no closure date",
    }


def test_each_undatable_record_says_what_it_lacks(db: Session, keyring: FileKeyring) -> None:
    default_schedule(db)
    expected = _undatable_records(db, keyring)
    dates.sweep(db, Actor.system())
    listed = undatable.undatable(db, Actor.system(), page_size=500)
    got = {r.identifier: r.missing for r in listed.rows}
    for identifier, missing in expected.items():
        assert got[identifier] == [missing]
    links = {r.identifier: r.link for r in listed.rows}
    assert links["PF-SAR-OPENENDED"].startswith("/archives/files/")
    assert all(links[n].startswith("/cases/") for n in expected if n != "PF-SAR-OPENENDED")
    assert sum(n for _, n in listed.by_class) == listed.total >= 4
    # Paged: two at a time, every record once.
    pages = [undatable.undatable(db, Actor.system(), page=p, page_size=2) for p in (1, 2, 3)]
    seen = [r.identifier for p in pages for r in p.rows]
    assert len(seen) == len(set(seen)) and set(expected) <= set(seen)


def test_the_page_and_the_api_list_them_without_names(
    signed_in: SignedIn,
    api_token,
    db: Session,
    keyring: FileKeyring,  # type: ignore[no-untyped-def]
) -> None:
    default_schedule(db)
    expected = _undatable_records(db, keyring)
    dates.sweep(db, Actor.system())
    db.commit()
    officer, _ = signed_in(Role.IG_OFFICER)
    page = officer.get("/retention/undatable")
    assert page.status_code == 200
    for identifier, missing in expected.items():
        assert identifier in page.text and missing in page.text
    assert "Requester Name" not in page.text and "Child0" not in page.text
    token, _ = api_token(Role.IG_OFFICER)
    answer = officer.get(
        "/api/v1/retention/undatable", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert {r["identifier"]: r["missing"] for r in body["items"]}.items() >= {
        k: [v] for k, v in expected.items()
    }.items()
    assert body["total"] == sum(body["by_class"].values()) >= len(expected)
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/retention/undatable").status_code == 403


def test_the_command_lists_them(cli: Cli) -> None:
    with cli.session() as db:
        default_schedule(db)
        expected = _undatable_records(db, _keyring(cli))
    cli.ok("retention", "sweep")
    body = json.loads(cli.ok("retention", "undatable", "--json").stdout)
    got = {r["identifier"]: r["missing"] for r in body["records"]}
    assert all(got[k] == [v] for k, v in expected.items())
    assert body["total"] == 4
