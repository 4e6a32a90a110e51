"""The work pages through the real app: each role's home shows the work waiting with counts
and links; My cases filters and sorts; search is POSTed, paged and shows snippets; the case
page warns and shows allocation and paper files; a caseworker asks for a case's paper file and
a manager reallocates a case, each refused where it must be."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.models import Retrieval, RetrievalStatus
from steward.archives.schemas import PaperFileCreate
from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import CaseAssignment, CaseView
from steward.records.service import cases as cases_service
from steward.retention.service import dates, disposal, holds, schedules
from tests.factories.core import make_user
from tests.factories.records import make_case, make_document
from tests.records import samples
from tests.retention.helpers import case_with_children
from tests.web.conftest import SignedIn, csrf_from
from tests.web.records_helpers import case_file, search


def _panel(html: str, key: str) -> str:
    """The HTML of one home panel."""
    match = re.search(
        rf'<section[^>]*data-testid="panel-{key}"[^>]*>(.*?)</section>', html, re.DOTALL
    )
    assert match, f"no panel {key}"
    return match.group(0)


def _count(html: str, key: str) -> int:
    match = re.search(rf'data-testid="panel-{key}" data-count="(\d+)"', html)
    assert match, f"panel {key} has no count"
    return int(match.group(1))


def _backdate_assignments(db: Session, case_id: int) -> None:
    """Allocated a day ago, so documents added now are new to the worker."""
    db.execute(
        update(CaseAssignment)
        .where(CaseAssignment.case_id == case_id)
        .values(assigned_at=clock.now() - timedelta(days=1))
    )


# --- home by role ------------------------------------------------------------------------


def test_a_caseworkers_home_shows_open_cases_paper_files_and_new_documents(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    closed = case_file(db, keyring, assigned_to=user).case
    service.close_case(db, Actor.system(), case_id=closed.id)
    _backdate_assignments(db, record.case.id)
    paper = archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="PF-HOME-1", case_number=record.case.case_number),
    )
    db.commit()
    home = client.get("/").text
    # Only the open case is listed, linked to its page.
    mine = _panel(home, "my-cases")
    assert _count(home, "my-cases") == 1
    assert f'href="/cases/{record.case.id}"' in mine and closed.case_number not in mine
    assert _count(home, "paper-files") == 0
    new = _panel(home, "new-documents")
    assert _count(home, "new-documents") == 1
    assert f'href="/documents/{record.document.id}"' in new and "Home visit note" in new

    # Reading the case page marks its documents as seen.
    assert client.get(f"/cases/{record.case.id}").status_code == 200
    db.expire_all()
    assert db.get(CaseView, (user.id, record.case.id)) is not None
    assert _count(client.get("/").text, "new-documents") == 0

    # A paper file asked for shows, with the case it belongs to.
    url = f"/cases/{record.case.id}/paper-files/{paper.id}/request"
    soon = clock.today() + timedelta(days=3)
    asked = client.post(
        url,
        data={
            "purpose": "case_work",
            "needed_by-day": str(soon.day),
            "needed_by-month": str(soon.month),
            "needed_by-year": str(soon.year),
            "csrf_token": csrf_from(client, url),
        },
    )
    assert asked.status_code == 303
    home = client.get("/").text
    assert _count(home, "paper-files") == 1 and "PF-HOME-1" in _panel(home, "paper-files")
    # The role summary stays, out of the way.
    assert "What your role can do" in home and 'data-testid="allowed"' in home


def test_a_caseworkers_home_caps_each_list_and_links_to_the_rest(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    for _ in range(7):
        case = make_case(db, keyring)
        service.assign(db, Actor.system(), case_id=case.id, user_id=user.id)
    db.commit()
    home = client.get("/").text
    mine = _panel(home, "my-cases")
    assert _count(home, "my-cases") == 7
    assert mine.count('href="/cases/') == 5
    assert "and 2 more" in mine and f"/cases?status=open&amp;worker={user.id}" in mine


def test_a_managers_home_shows_caseload_by_worker_and_unallocated_cases(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, manager = signed_in(Role.MANAGER)
    manager.team = "north"
    busy = make_user(db, Role.CASEWORKER, username="busy.worker", team="north")
    make_user(db, Role.CASEWORKER, username="idle.worker", team="north")
    make_user(db, Role.CASEWORKER, username="south.worker", team="south")
    for _ in range(2):
        case = make_case(db, keyring, team="north")
        service.assign(db, Actor.system(), case_id=case.id, user_id=busy.id)
    nobodys = make_case(db, keyring, team="north")
    db.execute(delete(CaseAssignment).where(CaseAssignment.case_id == nobodys.id))
    make_case(db, keyring, team="south")
    db.commit()
    home = client.get("/").text
    load = _panel(home, "caseload")
    assert "busy.worker: 2 open cases" in load and "idle.worker: 0 open cases" in load
    assert "south.worker" not in load
    assert f'href="/cases?status=open&amp;worker={busy.id}"' in load
    free = _panel(home, "unallocated")
    assert _count(home, "unallocated") == 1
    assert f'href="/cases/{nobodys.id}/reassign"' in free


def test_ig_and_dpo_homes_show_governance_work_and_admin_keeps_account_panels(
    signed_in: SignedIn,
) -> None:
    for role in (Role.IG_OFFICER, Role.DPO):
        client, _ = signed_in(role)
        home = client.get("/").text
        for key in ("retention-due", "disposal-lists", "holds", "undatable", "paper-overdue"):
            assert f'data-testid="panel-{key}"' in home, (role, key)
        assert 'href="/people/duplicates"' in home and "Suspected duplicate records" in home
        assert 'data-testid="panel-my-cases"' not in home
    dpo_home = signed_in(Role.DPO)[0].get("/").text
    assert 'data-testid="panel-break-glass"' in dpo_home
    admin_home = signed_in(Role.ADMIN)[0].get("/").text
    for key in ("locked", "without-two-factor", "unused"):
        assert f'data-testid="panel-{key}"' in admin_home
    assert 'data-testid="panel-retention-due"' not in admin_home
    assert 'data-testid="panel-caseload"' not in admin_home


# --- my cases ----------------------------------------------------------------------------


def test_my_cases_filters_by_status_and_refuses_unknown_filters(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    other = make_user(db, Role.CASEWORKER)
    open_case = case_file(db, keyring, assigned_to=user).case
    closed = case_file(db, keyring, assigned_to=user).case
    service.close_case(db, Actor.system(), case_id=closed.id)
    db.commit()
    only_closed = client.get("/cases", params={"status": "closed", "sort": "number"}).text
    assert closed.case_number in only_closed and open_case.case_number not in only_closed
    assert "Next date" in only_closed
    assert client.get("/cases", params={"status": "lost"}).status_code == 422
    assert client.get("/cases", params={"sort": "shoe size"}).status_code == 422
    # A caseworker cannot look through another worker's list.
    assert client.get("/cases", params={"worker": str(other.id)}).status_code == 422
    assert client.get("/cases", params={"worker": str(user.id)}).status_code == 200


def test_a_manager_filters_the_teams_cases_by_worker(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, manager = signed_in(Role.MANAGER)
    manager.team = "north"
    worker = make_user(db, Role.CASEWORKER, username="north.one", team="north")
    theirs = make_case(db, keyring, team="north")
    service.assign(db, Actor.system(), case_id=theirs.id, user_id=worker.id)
    someone_elses = make_case(db, keyring, team="north")
    db.commit()
    page = client.get("/cases", params={"worker": str(worker.id)}).text
    assert theirs.case_number in page and someone_elses.case_number not in page
    assert f'<option value="{worker.id}" selected>north.one</option>' in page


def test_a_long_caseload_is_counted_up_to_a_cap_and_paged_newest_first(
    signed_in: SignedIn, db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, manager = signed_in(Role.MANAGER)
    manager.team = "north"
    made = [make_case(db, keyring, team="north") for _ in range(53)]
    for n, case in enumerate(made):  # two share each opening date: the id breaks the tie
        case.opened_on = date(2020, 1, 1) + timedelta(days=(n * 7919 % 53) // 2)
    db.commit()
    newest_first = [c.case_number for c in sorted(made, key=lambda c: (c.opened_on, c.id))][::-1]
    monkeypatch.setattr(cases_service, "COUNT_CAP", 50)
    first = client.get("/cases").text
    assert "Showing <b>1</b> to <b>50</b> of <b>more than 50</b> cases" in first
    assert 'href="/cases?page=2"' in first  # more than counted: Next is offered
    second = client.get("/cases", params={"page": 2}).text
    assert "Showing <b>51</b> to <b>53</b>" in second and 'rel="next"' not in second
    shown = [n for page in (first, second) for n in re.findall(r"ZZ\d{6}", page)]
    assert list(dict.fromkeys(shown)) == newest_first
    monkeypatch.setattr(cases_service, "COUNT_CAP", 100)
    assert "of <b>53</b> cases" in client.get("/cases").text


# --- search ------------------------------------------------------------------------------


def test_search_is_posted_paged_and_marks_the_words_in_a_snippet(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(
        db,
        keyring,
        assigned_to=user,
        document_text="Visit: the Quenby & Co family garden was tidy and everyone was calm.",
    )
    for n in range(22):
        make_document(db, keyring, record.case, text=f"Note {n}: Quenby called.", title=f"N{n}")
    samples.extract_pending(db, keyring)
    db.commit()
    assert client.get("/search?q=Quenby").text.count("Quenby") == 0  # GET never searches
    found = search(client, "quenby")
    assert found.status_code == 200
    assert "Showing <b>1</b> to <b>20</b> of <b>23</b> documents" in found.text
    assert "<mark>Quenby</mark>" in found.text
    second = search(client, "quenby", documents_page=2)
    assert "Showing <b>21</b> to <b>23</b> of <b>23</b> documents" in second.text
    # The document's own text is escaped around the marks.
    assert "<mark>Quenby</mark> &amp; Co family" in found.text + second.text
    db.expire_all()
    details = db.scalars(
        select(AuditEvent.details).where(AuditEvent.tag == "records:search:run")
    ).all()
    assert details and not any("uenby" in d for d in details)


# --- the case page -----------------------------------------------------------------------


def test_the_case_page_warns_of_withheld_addresses_and_names_the_allocated_worker(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    hidden = case_file(db, keyring, assigned_to=user, address_withheld=True)
    plain = case_file(db, keyring, assigned_to=user)
    db.commit()
    page = client.get(f"/cases/{hidden.case.id}").text
    assert f'data-testid="withheld-{hidden.child.id}"' in page
    assert "The address of Ava Zielinska (child subject) must not be disclosed" in page
    assert user.username in page.split('data-testid="allocated"')[1].split("</div>")[0]
    assert "must not be disclosed" not in client.get(f"/cases/{plain.case.id}").text


def test_break_glass_access_shows_when_it_ends(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    db.commit()
    url = f"/cases/{record.case.id}/break-glass"
    opened = client.post(
        url, data={"reason": "Urgent call from the school", "csrf_token": csrf_from(client, url)}
    )
    assert opened.status_code == 303
    page = client.get(f"/cases/{record.case.id}").text
    warning = page.split('data-testid="break-glass-warning"')[1].split("</div>")[0]
    assert "Your access ends on" in warning


# --- asking for the paper file -----------------------------------------------------------


def test_a_caseworker_asks_for_the_paper_file_of_their_case(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    paper = archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="PF-ASK-1", case_number=record.case.case_number),
    )
    db.commit()
    case_page = client.get(f"/cases/{record.case.id}").text
    url = f"/cases/{record.case.id}/paper-files/{paper.id}/request"
    assert f'href="{url}"' in case_page and "In the archive" in case_page

    bad = client.post(
        url,
        data={
            "purpose": "",
            "needed_by-day": "31",
            "needed_by-month": "2",
            "needed_by-year": "2027",
            "csrf_token": csrf_from(client, url),
        },
    )
    assert bad.status_code == 422
    assert "Error:" in bad.text.split("</title>")[0]
    assert "Choose what you need the file for" in bad.text
    assert "The date you need the file by must be a real date" in bad.text
    assert 'href="#needed_by"' in bad.text and 'value="31"' in bad.text
    db.expire_all()
    assert db.scalar(select(Retrieval.id).where(Retrieval.paper_file_id == paper.id)) is None

    past = clock.today() - timedelta(days=1)
    late = client.post(
        url,
        data={
            "purpose": "case_work",
            "needed_by-day": str(past.day),
            "needed_by-month": str(past.month),
            "needed_by-year": str(past.year),
            "csrf_token": csrf_from(client, url),
        },
    )
    assert late.status_code == 422 and "must be today or in the future" in late.text

    soon = clock.today() + timedelta(days=5)
    done = client.post(
        url,
        data={
            "purpose": "court",
            "needed_by-day": str(soon.day),
            "needed_by-month": str(soon.month),
            "needed_by-year": str(soon.year),
            "note": "For the hearing",
            "csrf_token": csrf_from(client, url),
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{record.case.id}?requested={paper.id}"
    page = client.get(done.headers["location"]).text
    assert 'data-testid="requested-banner"' in page and "PF-ASK-1" in page
    status = page.split(f'data-testid="paper-file-status-{paper.id}"')[1].split("</td>")[0]
    assert "Requested" in status and "by you" in status
    assert f'href="{url}"' not in page  # asked for once, not again
    db.expire_all()
    retrieval = db.scalar(select(Retrieval).where(Retrieval.paper_file_id == paper.id))
    assert retrieval is not None and retrieval.status == RetrievalStatus.REQUESTED
    assert retrieval.requested_by_user_id == user.id
    # Asked again (an old tab): a clear refusal, nothing added.
    again = client.post(
        url,
        data={
            "purpose": "court",
            "needed_by-day": str(soon.day),
            "needed_by-month": str(soon.month),
            "needed_by-year": str(soon.year),
            "csrf_token": csrf_from(client, url),
        },
    )
    assert again.status_code == 422 and "already been asked for" in again.text


def test_a_caseworker_cannot_ask_for_the_file_of_a_case_that_is_not_theirs(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    paper = archives.add_file(
        db,
        Actor.system(),
        PaperFileCreate(file_reference="PF-NOT-1", case_number=record.case.case_number),
    )
    db.commit()
    url = f"/cases/{record.case.id}/paper-files/{paper.id}/request"
    assert client.get(url).status_code in (303, 404)  # to break-glass, never the form
    response = client.post(
        url,
        data={"purpose": "court", "csrf_token": csrf_from(client)},
    )
    assert response.status_code in (303, 404)
    db.expire_all()
    assert db.scalar(select(Retrieval.id).where(Retrieval.paper_file_id == paper.id)) is None


# --- reallocating ------------------------------------------------------------------------


def test_a_manager_reallocates_a_case_after_confirming(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, manager = signed_in(Role.MANAGER)
    manager.team = "north"
    was = make_user(db, Role.CASEWORKER, username="was.worker", team="north")
    now = make_user(db, Role.CASEWORKER, username="now.worker", team="north")
    outsider = make_user(db, Role.CASEWORKER, username="south.only", team="south")
    case = make_case(db, keyring, team="north")
    service.assign(db, Actor.system(), case_id=case.id, user_id=was.id)
    db.commit()
    url = f"/cases/{case.id}/reassign"
    assert f'href="{url}"' in client.get(f"/cases/{case.id}").text
    form = client.get(url).text
    assert ">now.worker (caseworker)</option>" in form and "south.only" not in form

    empty = client.post(url, data={"user_id": "", "csrf_token": csrf_from(client, url)})
    assert empty.status_code == 422 and "Choose who will work on this case" in empty.text
    wrong = client.post(
        url, data={"user_id": str(outsider.id), "csrf_token": csrf_from(client, url)}
    )
    assert wrong.status_code == 422 and "Choose a member of your team" in wrong.text

    confirm = client.post(url, data={"user_id": str(now.id), "csrf_token": csrf_from(client, url)})
    assert confirm.status_code == 200 and "Give this case to now.worker?" in confirm.text
    db.expire_all()
    holders = set(
        db.scalars(select(CaseAssignment.user_id).where(CaseAssignment.case_id == case.id))
    )
    assert now.id not in holders and was.id in holders  # nothing changes before confirming

    done = client.post(
        url, data={"user_id": str(now.id), "confirm": "yes", "csrf_token": csrf_from(client, url)}
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "is now allocated to now.worker" in page
    db.expire_all()
    holders = set(
        db.scalars(select(CaseAssignment.user_id).where(CaseAssignment.case_id == case.id))
    )
    assert now.id in holders and was.id not in holders
    tags = db.scalars(
        select(AuditEvent.tag).where(
            AuditEvent.subject_type == "case", AuditEvent.subject_id == str(case.id)
        )
    ).all()
    assert "records:case:assigned" in tags and "records:case:unassigned" in tags


def test_reallocation_is_refused_to_caseworkers_and_for_another_teams_case(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker_client, worker = signed_in(Role.CASEWORKER)
    worker.team = "north"
    mine = make_case(db, keyring, team="north")
    service.assign(db, Actor.system(), case_id=mine.id, user_id=worker.id)
    client, manager = signed_in(Role.MANAGER)
    manager.team = "north"
    south_case = make_case(db, keyring, team="south")
    colleague = make_user(db, Role.CASEWORKER, team="north")
    db.commit()
    assert worker_client.get(f"/cases/{mine.id}/reassign").status_code == 403
    refused = worker_client.post(
        f"/cases/{mine.id}/reassign",
        data={"user_id": str(worker.id), "confirm": "yes", "csrf_token": csrf_from(worker_client)},
    )
    assert refused.status_code == 403
    # Another team's case: not readable to this manager, so never reallocated.
    response = client.post(
        f"/cases/{south_case.id}/reassign",
        data={"user_id": str(colleague.id), "confirm": "yes", "csrf_token": csrf_from(client)},
    )
    assert response.status_code in (303, 403, 404)
    if response.status_code == 303:
        assert "break-glass" in response.headers["location"]
    db.expire_all()
    assert colleague.id not in set(
        db.scalars(select(CaseAssignment.user_id).where(CaseAssignment.case_id == south_case.id))
    )


def test_the_ig_home_counts_records_due_lists_awaiting_decisions_and_holds(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    before = client.get("/").text
    assert _count(before, "holds") == 0 and _count(before, "disposal-lists") == 0
    schedules.ensure_default(db, Actor.system())
    case_with_children(db, keyring, date(1990, 5, 1))  # long past its retention date
    dates.sweep(db, Actor.system())
    listed = disposal.propose(db, officer.actor, as_of=clock.today())
    case = make_case(db, keyring)
    holds.place_hold(
        db,
        officer.actor,
        keyring,
        kind="police",
        scope="case",
        targets=[case.case_number],
        reason="Police enquiry into the family, reference to follow",
    )
    db.commit()
    home = client.get("/").text
    assert _count(home, "retention-due") >= 1
    assert 'href="/retention/due"' in _panel(home, "retention-due")
    lists = _panel(home, "disposal-lists")
    assert _count(home, "disposal-lists") == 1
    assert f'href="/retention/disposal/{listed.id}"' in lists and listed.reference in lists
    assert _count(home, "holds") == 1
    assert 'href="/retention/undatable"' in _panel(home, "undatable")
