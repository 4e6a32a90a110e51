"""xAPI statements as JSON, read into LMS records: pure, text in, records out.

A list of statements, one statement, or an LRS's {"statements": [...]}. The ADL verbs
completed and passed count; failed never does (nor a pass with result.success false); other
verbs are passed over. The learner is the actor's mbox (mailto:) or account.name (the staff
number), the course the object's id, the day the timestamp's in the UK, the score
result.score.scaled as a whole percent. The statement's id is its identity: the same statement
imported twice is kept once."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from steward.core.schemas import FORBIDDEN_CHARS
from steward.training.files import Problem
from steward.training.files import refuse as refuse_file
from steward.training.lms_file import (
    LIMIT,
    MAX_RECORDS,
    WHAT,
    CourseRef,
    LmsRecord,
    Outcome,
    Parsed,
    uk_day,
)
from steward.training.policy import Source

ADL_VERBS = "adlnet.gov/expapi/verbs/"


def read(text: str, today: date) -> Parsed:
    parsed = Parsed("xapi")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse_file(
            f"{WHAT} is not valid JSON (line {exc.lineno}, column {exc.colno}). Nothing was "
            "imported."
        ) from None
    except RecursionError:
        raise refuse_file(
            f"{WHAT} is nested too deeply to be xAPI. Nothing was imported."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        statements: list[Any] = data["statements"]
    elif isinstance(data, dict) and ("verb" in data or "actor" in data):
        statements = [data]
    elif isinstance(data, list):
        statements = data
    else:
        raise refuse_file(
            f"{WHAT} is JSON but not xAPI statements: give a list of statements, one "
            'statement, or {"statements": [...]} as an LRS returns them. Nothing was imported.'
        )
    if not statements:
        raise refuse_file(f"{WHAT} holds no statements. Nothing was imported.")
    if len(statements) > MAX_RECORDS:
        raise refuse_file(f"{WHAT} has more than {MAX_RECORDS:,} statements; split it.")
    for number, statement in enumerate(statements, start=1):
        parsed.total += 1
        _statement(parsed, number, statement, today)
    return parsed


def _text(value: object) -> str | None:
    """A string fit to read: None for anything else, or one with hidden characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > LIMIT:
        return None
    if FORBIDDEN_CHARS.search(value):
        return None
    return value.strip()


def _statement(parsed: Parsed, number: int, statement: object, today: date) -> None:
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(number, where, message))

    if not isinstance(statement, dict):
        parsed.problems.append(Problem(number, "statement", "Statement is not a JSON object"))
        return
    verb = statement.get("verb")
    verb_id = _text(verb.get("id")) if isinstance(verb, dict) else None
    if verb_id is None:
        parsed.problems.append(Problem(number, "verb.id", "Statement has no verb id"))
        return
    outcome = _outcome(verb_id)
    if outcome is None:
        parsed.other_verbs += 1
        return
    statement_id = statement.get("id")
    if statement_id is not None and _text(statement_id) is None:
        add("id", "Statement id is not a plain string")
    email, staff_number = _learner(statement.get("actor"), add)
    target = statement.get("object")
    activity = _text(target.get("id")) if isinstance(target, dict) else None
    if activity is None:
        add("object.id", "Statement has no activity id (object.id) naming the course")
    completed_on = _timestamp(statement, today, add)
    score, success = _result(statement.get("result"), add)
    if problems or completed_on is None:
        parsed.problems += problems
        return
    if outcome is Outcome.FAILED or success is False:
        parsed.failed += 1
        return
    parsed.records.append(
        LmsRecord(
            row=number,
            source=Source.XAPI,
            email=email,
            staff_number=staff_number,
            courses=(CourseRef(str(activity)),),
            completed_on=completed_on,
            outcome=outcome,
            score=score,
            external_id=_text(statement_id),
        )
    )


def _outcome(verb_id: str) -> Outcome | None:
    for prefix in (f"http://{ADL_VERBS}", f"https://{ADL_VERBS}"):
        if verb_id.startswith(prefix):
            try:
                return Outcome(verb_id.removeprefix(prefix))
            except ValueError:
                return None
    return None


def _learner(actor: object, add: Callable[[str, str], None]) -> tuple[str | None, str | None]:
    if not isinstance(actor, dict):
        add("actor", "Statement has no actor")
        return None, None
    email: str | None = None
    mbox = _text(actor.get("mbox"))
    if mbox is not None:
        if not mbox.lower().startswith("mailto:") or "@" not in mbox:
            add("actor.mbox", "Actor.mbox is not a mailto: address")
        else:
            email = mbox[len("mailto:") :].strip().lower()
    account = actor.get("account")
    name = _text(account.get("name")) if isinstance(account, dict) else None
    staff_number = name.upper() if name else None
    if email is None and staff_number is None and mbox is None:
        add(
            "actor",
            "The actor names the learner by neither mbox (mailto:) nor account.name: Steward "
            "matches on the email or the staff number",
        )
    return email, staff_number


def _timestamp(
    statement: dict[str, Any], today: date, add: Callable[[str, str], None]
) -> date | None:
    raw = statement.get("timestamp") or statement.get("stored")
    text = _text(raw)
    if text is None:
        add("timestamp", "Statement has no timestamp")
        return None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
        day = uk_day(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError:
        add("timestamp", "Timestamp is not an ISO 8601 date and time")
        return None
    if day > today:
        add("timestamp", "Timestamp is in the future: check the LRS's clock")
        return None
    return day


def _result(result: object, add: Callable[[str, str], None]) -> tuple[int | None, bool | None]:
    """The score as a whole percent (rounded down: 0.799 is 79, never rounded up over a pass
    mark) and whether the LMS judged it a success."""
    if result is None:
        return None, None
    if not isinstance(result, dict):
        add("result", "Result is not a JSON object")
        return None, None
    success = result.get("success")
    if success is not None and not isinstance(success, bool):
        add("result.success", "Result.success is not true or false")
        success = None
    score = result.get("score")
    if score is None:
        return None, success
    if not isinstance(score, dict):
        add("result.score", "Result.score is not a JSON object")
        return None, success
    scaled = _number(score.get("scaled"))
    if "scaled" in score:
        if scaled is None or not -1 <= scaled <= 1:
            add("result.score.scaled", "Result.score.scaled is not a number from -1 to 1")
            return None, success
        return max(0, math.floor(round(scaled * 100, 6))), success
    if "raw" not in score:
        return None, success
    raw, top = _number(score.get("raw")), _number(score.get("max"))
    if raw is None or top is None or top <= 0 or not 0 <= raw <= top:
        add("result.score", "Result.score has a raw score but no max it is out of")
        return None, success
    return math.floor(round(100 * raw / top, 6)), success


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
