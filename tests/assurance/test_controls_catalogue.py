"""The control catalogue: the shipped one covers the ICO framework's ten categories and names
only known measures; a new version is refused whole, with a message that says what to fix,
for an unknown measure key, an unknown area, a duplicate id, or text that is not a catalogue;
a refused version changes nothing; published versions are kept as history."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area
from steward.assurance.controls import catalogue, service
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.models import CatalogueVersion
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Role
from tests.factories.core import make_user

TEN = [
    "Leadership and oversight",
    "Policies and procedures",
    "Training and awareness",
    "Individuals' rights",
    "Transparency",
    "Records of processing and lawful basis",
    "Contracts and data sharing",
    "Risks and data protection impact assessments",
    "Records management and security",
    "Breach response and monitoring",
]


def _shipped() -> dict[str, object]:
    data = yaml.safe_load(catalogue.shipped_text())
    assert isinstance(data, dict)
    return data


def _expectation(data: dict[str, object], index: int = 0) -> dict[str, object]:
    categories = data["categories"]
    assert isinstance(categories, list)
    first: dict[str, object] = categories[0]["expectations"][index]
    return first


def test_the_shipped_catalogue_covers_the_ten_categories_and_every_area() -> None:
    found = service.parse(catalogue.shipped_text())
    assert [c.title for c in found.categories] == TEN
    assert {e.area for e in found.expectations} == set(Area)
    assert all(e.measure in MEASURES for e in found.measured())
    assert any(e.measure is None for e in found.expectations)  # attestations too
    ids = [e.id for e in found.expectations]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(measure="made_up_key"), "unknown measure key 'made_up_key'"),
        (lambda e: e.update(area="finance"), "unknown area 'finance'"),
        (lambda e: e.update(evidence="attestation"), "one, not both"),
        (lambda e: e.pop("measure"), "either a measure key or 'evidence: attestation'"),
        (lambda e: e.update(articles=[]), "UK GDPR articles"),
        (lambda e: e.update(articles=["=cmd|' /C calc'!A0"]), "UK GDPR articles"),
        (lambda e: e.update(meaning=""), "meaning is missing"),
        (lambda e: e.update(id="../etc"), "letters, digits"),
    ],
)
def test_a_faulty_expectation_is_refused_with_what_to_fix(change: object, message: str) -> None:
    data = _shipped()
    expectation = _expectation(data, 2)  # LO-03, evidenced by a measure
    change(expectation)  # type: ignore[operator]
    with pytest.raises(ValidationFailed) as refused:
        service.parse(yaml.safe_dump(data))
    assert message in refused.value.message
    assert "catalogue" in refused.value.errors


def test_a_duplicate_id_is_refused() -> None:
    data = _shipped()
    _expectation(data, 1)["id"] = "LO-01"
    with pytest.raises(ValidationFailed, match="LO-01 is used twice"):
        service.parse(yaml.safe_dump(data))


@pytest.mark.parametrize(
    "text", ["", "just words", "- a list", "title: x\ncategories: []", "title: [\n", "<script>"]
)
def test_text_that_is_not_a_catalogue_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        service.parse(text)


def test_the_dpo_publishes_versions_kept_as_history(db: Session) -> None:
    dpo = make_user(db, Role.DPO).actor
    assert service.current(db).version is None  # the shipped catalogue until one is published
    data = _shipped()
    _expectation(data, 0)["meaning"] = "Our DPO reports to the board every quarter."
    first = service.publish(db, dpo, yaml.safe_dump(data), "Quarterly reporting")
    data["title"] = "Second edition"
    second = service.publish(db, dpo, yaml.safe_dump(data))
    assert (first.version, second.version) == (1, 2)
    now = service.current(db)
    assert now.version is not None and now.version.version == 2
    assert now.catalogue.title == "Second edition"
    assert now.catalogue.expectations[0].meaning == "Our DPO reports to the board every quarter."
    assert [v.version for v in service.history(db, dpo, service.PageRequest()).items] == [2, 1]
    # Publishing the version in use again is refused: nothing would change.
    with pytest.raises(ValidationFailed, match="already in use"):
        service.publish(db, dpo, now.source)


def test_a_refused_version_changes_nothing(db: Session) -> None:
    dpo = make_user(db, Role.DPO).actor
    data = _shipped()
    _expectation(data, 2)["measure"] = "nope"
    before = db.scalar(select(func.count()).select_from(CatalogueVersion))
    with pytest.raises(ValidationFailed):
        service.publish(db, dpo, yaml.safe_dump(data))
    assert db.scalar(select(func.count()).select_from(CatalogueVersion)) == before
    assert service.current(db).version is None


@pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.AUDITOR, Role.CASEWORKER])
def test_only_the_dpo_publishes(db: Session, role: Role) -> None:
    actor = make_user(db, role).actor
    with pytest.raises(Forbidden):
        service.publish(db, actor, catalogue.shipped_text() + "\n# changed\n")


def test_thresholds_are_checked_and_kept(db: Session) -> None:
    dpo = make_user(db, Role.DPO).actor
    assert service.thresholds(db)["training_current"] == MEASURES["training_current"].defaults
    service.set_thresholds(db, dpo, "training_current", 90, 80)
    assert service.thresholds(db)["training_current"] == service.Thresholds(90, 80)
    with pytest.raises(ValidationFailed):
        service.set_thresholds(db, dpo, "training_current", 80, 90)  # amber above green
    with pytest.raises(ValidationFailed):
        service.set_thresholds(db, dpo, "sar_overdue_open", 5, 1)  # a count: green above amber
    with pytest.raises(ValidationFailed):
        service.set_thresholds(db, dpo, "training_current", 101, 90)
    with pytest.raises(Forbidden):
        service.set_thresholds(db, make_user(db, Role.AUDITOR).actor, "training_current", 1, 0)
    assert service.thresholds(db)["training_current"] == service.Thresholds(90, 80)
