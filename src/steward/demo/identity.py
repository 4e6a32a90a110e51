"""Demo hook of the identity domain: the demo's persons indexed and the match model trained.

Persons created through the records service are indexed as they are written (identity's flush
hook); ``index_missing`` only catches anything written another way. Training runs Splink on
the demo's own persons, so `make run` starts with weights learnt from its data.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from steward.core.db import session_scope
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.identity import service as identity


def prepare(factory: sessionmaker[Session], actor: Actor) -> identity.MatchModelInfo | None:
    """None when there are too few persons to train on (the built-in weights then serve)."""
    with session_scope(factory) as db:
        identity.index_missing(db.connection())
    try:
        return identity.train_model(factory, actor=actor)
    except ValidationFailed:
        return None
