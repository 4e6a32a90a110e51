"""The pure rules of the action plan and attestations."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from steward.assurance.audits import policy
from steward.assurance.audits.policy import ActionStatus, AttestationState, Priority
from steward.core.errors import ValidationFailed

DAY = date(2026, 6, 1)


@pytest.mark.parametrize("priority", [Priority.URGENT, Priority.HIGH])
def test_an_open_urgent_or_high_action_past_its_date_is_red(priority: Priority) -> None:
    assert policy.is_red(priority, ActionStatus.OPEN, date(2026, 5, 31), DAY)
    assert policy.is_red(priority, ActionStatus.IN_PROGRESS, date(2026, 5, 31), DAY)


def test_an_action_due_today_is_not_yet_overdue() -> None:
    assert not policy.is_overdue(ActionStatus.OPEN, DAY, DAY)
    assert policy.is_overdue(ActionStatus.OPEN, DAY, date(2026, 6, 2))


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.NOT_ACCEPTED])
def test_a_closed_action_is_never_red(status: ActionStatus) -> None:
    assert not policy.is_red(Priority.URGENT, status, date(2020, 1, 1), DAY)


def test_an_overdue_medium_or_low_action_is_overdue_but_not_red() -> None:
    for priority in (Priority.MEDIUM, Priority.LOW):
        assert policy.is_overdue(ActionStatus.OPEN, date(2026, 1, 1), DAY)
        assert not policy.is_red(priority, ActionStatus.OPEN, date(2026, 1, 1), DAY)


def test_transitions_reach_every_status_and_keep_reopening_explicit() -> None:
    reachable = {s for targets in policy.ALLOWED.values() for s in targets}
    assert reachable == set(ActionStatus)
    assert not policy.may_move(ActionStatus.DONE, ActionStatus.NOT_ACCEPTED)
    assert policy.may_move(ActionStatus.NOT_ACCEPTED, ActionStatus.OPEN)
    assert {ActionStatus.IN_PROGRESS, ActionStatus.DONE} == policy.OWNER_MAY_SET


def test_attestation_expires_the_day_after_its_review_date() -> None:
    review = date(2026, 6, 30)
    assert policy.attestation_state(review, date(2026, 5, 30)) == AttestationState.CURRENT
    assert policy.attestation_state(review, date(2026, 5, 31)) == AttestationState.DUE_SOON
    assert policy.attestation_state(review, review) == AttestationState.DUE_SOON
    assert policy.attestation_state(review, date(2026, 7, 1)) == AttestationState.EXPIRED


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_documents_are_known_by_their_content() -> None:
    assert policy.check_document(b"%PDF-1.7 ...") == "application/pdf"
    assert policy.check_document(_docx()) == policy.DOCX


@pytest.mark.parametrize(
    "data",
    [
        b"=cmd|' /C calc'!A0",
        b"<script>alert(1)</script>",
        b"PK\x03\x04 not really a zip",
        b"MZ\x90\x00 an executable",
    ],
)
def test_other_files_are_refused_with_a_message(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        policy.check_document(data, field="evidence")
    assert "PDF, Word document (DOCX), JPG or PNG" in refused.value.errors["evidence"]


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "x")
    with pytest.raises(ValidationFailed):
        policy.check_document(buffer.getvalue())


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        policy.check_document(b"")
    with pytest.raises(ValidationFailed, match="10MB"):
        policy.check_document(b"%PDF-" + b"0" * (10 * 1024 * 1024))


def test_an_as_of_date_at_the_calendars_end_does_not_overflow() -> None:
    assert policy.attestation_state(date.max, date.max) == AttestationState.DUE_SOON
    assert policy.due_soon_until(date.max) == date.max
