"""The words of a training reminder: plain, naming each course and its due date, and saying
where to go. The link is to Steward's own page (STEWARD_PUBLIC_URL, or the address the page
was sent from). A manager's escalation names the people overdue; nobody's email says more
than which course is due when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from steward.training.policy import ReminderKind


@dataclass(frozen=True, slots=True)
class Notice:
    """One reminder: the row that makes it unique, and what its email says."""

    kind: ReminderKind
    staff_id: int
    staff_name: str
    course_id: int
    course_title: str
    due_on: date  # when the training is (or was) due, as the email says
    key_on: date  # the row's due_on: the same, but the day it was sent for a nudge
    overdue: bool


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _link(site_url: str | None, path: str, what: str) -> str:
    if site_url:
        return f"{what} at:\n{site_url.rstrip('/')}{path}"
    return f"{what} in Steward: sign in and open {path}"


def email_text(
    kind: ReminderKind,
    name: str,
    notices: Iterable[Notice],
    *,
    organisation: str,
    site_url: str | None,
) -> tuple[str, str]:
    """Subject and plain-text body: each course named with its due date, and where to go."""
    listed = list(notices)
    own = _link(
        site_url, "/training", "You can see what you need to do, and take the online modules,"
    )
    if kind is ReminderKind.ESCALATION:
        lines = [f"- {n.staff_name}: {n.course_title}, was due by {_day(n.due_on)}" for n in listed]
        people = len({n.staff_id for n in listed})
        subject = (
            f"Overdue training in your team: {listed[0].staff_name}"
            if people == 1
            else f"Overdue training in your team: {people} people"
        )
        intro = "This training is overdue for people who report to you:"
        ask = "Please talk to them about completing it. " + _link(
            site_url, "/training/team", "You can see your team's training, and send a reminder,"
        )
    else:
        lines = [
            f"- {n.course_title}: {'was due' if n.overdue else 'due'} by {_day(n.due_on)}"
            for n in listed
        ]
        first = listed[0]
        if kind is ReminderKind.DUE_SOON:
            subject = (
                f"Training due by {_day(first.due_on)}: {first.course_title}"
                if len(listed) == 1
                else f"Training due by {_day(min(n.due_on for n in listed))}"
            )
            intro = "This is a reminder that your training is due soon:"
            ask = "Please complete it by the date shown. " + own
        elif kind is ReminderKind.OVERDUE:
            subject = (
                f"Overdue training: {first.course_title}"
                if len(listed) == 1
                else f"Overdue training: {len(listed)} courses"
            )
            intro = "Your training is overdue:"
            ask = "Please complete it as soon as you can. " + own
        else:
            subject = "A reminder about your training"
            intro = "This is a reminder about training you have still to do:"
            ask = "Please complete it by the date shown. " + own
    body = "\n\n".join(
        [
            f"Dear {name},",
            intro + "\n\n" + "\n".join(lines),
            ask,
            "If you completed it somewhere else, such as at a classroom session, ask your "
            "manager to record it."
            if kind is not ReminderKind.ESCALATION
            else "If they completed it at a classroom session, you can record it on the same page.",
            organisation,
        ]
    )
    # A title is one line in a subject, whatever was typed into it.
    return " ".join(subject.split()), body + "\n"
