"""The demo's new starter in a real Chromium: their case is closed with the reason and the
module to take; they take the data protection induction module, pass, and the same case
opens without signing out."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from steward.core import auth
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.demo.service import DEMO_PASSWORD
from steward.records.models import Case, CaseAssignment
from tests.web.live import DemoSite, chromium_page, needs_chromium, sign_in_as
from tests.web.training_helpers import INDUCTION, answer_quiz

pytestmark = [pytest.mark.browser, needs_chromium]

STARTER = "new-starter"


def _starters_case(data_dir: Path) -> tuple[int, str]:
    """(id, case number) of a case the demo assigned to its new starter."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            found = db.execute(
                select(Case.id, Case.case_number)
                .join(CaseAssignment, CaseAssignment.case_id == Case.id)
                .join(auth.User, auth.User.id == CaseAssignment.user_id)
                .where(auth.User.username == STARTER)
                .order_by(Case.id)
                .limit(1)
            ).one()
            return int(found[0]), str(found[1])
    finally:
        engine.dispose()


def test_a_new_starter_takes_the_induction_module_and_then_reaches_their_case(
    demo_site: DemoSite,
) -> None:
    case_id, case_number = _starters_case(demo_site.data_dir)
    with chromium_page(demo_site.base) as page:
        sign_in_as(page, STARTER, DEMO_PASSWORD)
        refused = page.goto(f"/cases/{case_id}")
        assert refused is not None and refused.status == 403
        assert "Complete your induction" in page.locator("h1").inner_text()
        assert case_number not in page.content()

        page.locator("[data-testid=gate-courses] a").first.click()
        page.wait_for_url(f"**/training/modules/{INDUCTION}")
        answer_quiz(page, wrong=0)
        assert page.get_by_test_id("passed").is_visible()

        opened = page.goto(f"/cases/{case_id}")
        assert opened is not None and opened.status == 200
        assert case_number in page.content()
