"""Training a new version of the match model from the persons held now."""

from __future__ import annotations

import random
import time

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock
from steward.core.db import session_scope
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity import training
from steward.identity.events import IdentityEvent
from steward.identity.indexer import index_missing
from steward.identity.models import (
    KEY_INDEX,
    MatchLevel,
    MatchModel,
    MatchProfile,
    TermFrequency,
)
from steward.identity.service.scoring import TF_MIN_COUNT, ActiveModel, active_model
from steward.identity.service.search import load_profiles, profile_from_row
from steward.identity.service.types import MatchModelInfo

SAMPLE = 200_000  # persons Splink trains on: EM converges long before, and memory stays flat
MIN_PERSONS = 50


def _term_frequencies(db: Session, total: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for column, attr in (
        ("first_name", MatchProfile.first_name),
        ("last_name", MatchProfile.last_name),
        ("postcode", MatchProfile.postcodes),
    ):
        for value, count in db.execute(
            select(attr, func.count())
            .where(attr != "")
            .group_by(attr)
            .having(func.count() >= TF_MIN_COUNT)
        ):
            if column == "postcode" and "|" in value:
                continue  # several postcodes in one profile: counted under its own rows only
            rows.append({"column": column, "value": value[:100], "frequency": count / total})
    return rows


def train_model(
    session_factory: sessionmaker[Session], *, actor: Actor, sample: int = SAMPLE
) -> MatchModelInfo:
    """Index anyone not yet indexed, run Splink's EM, store the weights as a new model version."""
    actor.require(Permission.PEOPLE_MANAGE)
    started = time.perf_counter()
    with session_scope(session_factory) as db:
        connection = db.connection()
        # An import interrupted before it rebuilt the key index leaves it missing: rebuild.
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {KEY_INDEX} ON identity_match_keys (key, person_id)"
        )
        index_missing(connection)
    with session_scope(session_factory, read_only=True) as db:
        ids = list(db.scalars(select(MatchProfile.person_id)))
        if len(ids) < MIN_PERSONS:
            raise ValidationFailed(
                f"Training needs at least {MIN_PERSONS} persons; there are {len(ids)}.",
                errors={"persons": "Too few persons"},
            )
        chosen = ids if len(ids) <= sample else random.Random(7).sample(ids, sample)  # noqa: S311 - a fixed sample, not a secret
        profiles = [profile_from_row(r) for r in load_profiles(db, chosen)]
        tf_rows = _term_frequencies(db, len(ids))
    try:
        trained = training.train(profiles, sample=sample)
    except training.TrainingFailed as exc:
        raise ValidationFailed(
            f"{exc} Search keeps using the current weights.", errors={"persons": str(exc)}
        ) from exc
    del profiles
    with session_scope(session_factory) as db:
        version = (db.scalar(select(func.max(MatchModel.version))) or 0) + 1
        model = MatchModel(
            version=version,
            trained_at=clock.now(),
            trainer=trained.trainer,
            record_count=len(ids),
            prior=trained.prior,
            seconds=time.perf_counter() - started,
            settings_json=trained.settings_json,
        )
        db.add(model)
        db.flush()
        db.execute(
            insert(MatchLevel),
            [
                {
                    "model_version": version,
                    "comparison": lv.comparison,
                    "level": lv.level,
                    "label": lv.label,
                    "m_probability": lv.m,
                    "u_probability": lv.u,
                }
                for lv in trained.levels
            ],
        )
        if tf_rows:
            db.execute(insert(TermFrequency), [{**r, "model_version": version} for r in tf_rows])
        audit.record(
            db,
            actor,
            IdentityEvent.MODEL_TRAINED,
            subject_type="identity_model",
            subject_id=version,
            details={"persons": len(ids), "sample": len(chosen)},
        )
        return _info(model, active_model(db))


def _info(model: MatchModel, active: ActiveModel) -> MatchModelInfo:
    from steward.identity.policy import COMPARISONS

    weights = {
        c.name: {
            c.levels[i].label: round(active.weight(c.name, i), 3) for i in range(1, len(c.levels))
        }
        for c in COMPARISONS
    }
    return MatchModelInfo(
        version=model.version,
        trained_at=model.trained_at,
        trainer=model.trainer,
        record_count=model.record_count,
        seconds=model.seconds,
        weights=weights,
    )


def current_model(db: Session) -> MatchModelInfo | None:
    newest = db.scalar(select(MatchModel).order_by(MatchModel.version.desc()).limit(1))
    return None if newest is None else _info(newest, active_model(db))
