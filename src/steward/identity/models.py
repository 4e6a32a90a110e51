"""Tables of the identity domain.

A person's match profile and match keys are derived data: rebuilt from the records domain's
Person (and its names, addresses and legacy identifier) whenever that changes, and deleted
with the person by the database's ON DELETE CASCADE, so disposal leaves nothing behind.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime

_PERSON_FK = "persons.id"


class MatchProfile(Base):
    """A person's normalised names, DOB and places: what candidates are scored on."""

    __tablename__ = "identity_profiles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey(_PERSON_FK, ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_names: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(100))
    # Space-separated tokens: every surname the person is known by (previous names and each
    # half of a double-barrelled name included).
    surnames: Mapped[str] = mapped_column(String(400))
    dob: Mapped[date | None] = mapped_column(Date)
    # "|"-separated normalised postcodes, current first.
    postcodes: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    # Space-separated first names the person also goes by (aliases), normalised: they are
    # match keys, so the scorer must see them too or a stored alias scores lower than it keys.
    other_first_names: Mapped[str] = mapped_column(String(200), default="", server_default="")


KEY_INDEX = "ix_identity_match_keys_key"


class MatchKey(Base):
    """One blocking key of a person (a 63-bit hash of e.g. "surname sound + DOB").

    A lookup computes the same keys from the query and reads the persons holding any of them:
    one range scan of ``KEY_INDEX`` per key, so a lookup touches few rows at millions of
    persons. The primary key leads with the person, so new persons append to it in order;
    only ``KEY_INDEX`` takes random inserts, and a large import rebuilds it once instead."""

    __tablename__ = "identity_match_keys"
    __table_args__ = (Index(KEY_INDEX, "key", "person_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey(_PERSON_FK, ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class MatchModel(Base):
    """One trained version of the match weights (Splink's EM), newest wins."""

    __tablename__ = "identity_models"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trainer: Mapped[str] = mapped_column(String(40))  # e.g. "splink 5.0.0"
    record_count: Mapped[int] = mapped_column(Integer)
    prior: Mapped[float] = mapped_column(Float)  # P(two random records are one human)
    seconds: Mapped[float] = mapped_column(Float)
    settings_json: Mapped[str] = mapped_column(Text)  # Splink's saved model (no data values)


class MatchLevel(Base):
    """m and u probability of one level of one comparison in a model version."""

    __tablename__ = "identity_model_levels"

    model_version: Mapped[int] = mapped_column(
        ForeignKey("identity_models.version", ondelete="CASCADE"), primary_key=True
    )
    comparison: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(200))
    m_probability: Mapped[float] = mapped_column(Float)
    u_probability: Mapped[float] = mapped_column(Float)


class TermFrequency(Base):
    """How common a value is (first name, surname, postcode), for term-frequency adjustment.

    Only values shared by several persons are stored: a rare value gets the floor frequency,
    so the table never keeps a disposed person's unusual name alive."""

    __tablename__ = "identity_term_frequencies"

    model_version: Mapped[int] = mapped_column(
        ForeignKey("identity_models.version", ondelete="CASCADE"), primary_key=True
    )
    column: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    frequency: Mapped[float] = mapped_column(Float)


class PersonMerge(Base):
    """Two person records confirmed as one human; reversible (un-merge sets unmerged_at)."""

    __tablename__ = "identity_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON_FK, ondelete="CASCADE"), index=True)
    other_person_id: Mapped[int] = mapped_column(
        ForeignKey(_PERSON_FK, ondelete="CASCADE"), index=True
    )
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    merged_by: Mapped[int | None] = mapped_column(Integer)
    unmerged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unmerged_by: Mapped[int | None] = mapped_column(Integer)


class DuplicatePair(Base):
    """Two person records the duplicate check found likely to be one human: the IG officer's
    queue. Kept between checks, because the check reads every person and may take minutes;
    a "not the same person" decision survives later checks so the pair never comes back."""

    __tablename__ = "identity_duplicate_pairs"

    # person_id < other_person_id: each pair once.
    person_id: Mapped[int] = mapped_column(
        ForeignKey(_PERSON_FK, ondelete="CASCADE"), primary_key=True
    )
    other_person_id: Mapped[int] = mapped_column(
        ForeignKey(_PERSON_FK, ondelete="CASCADE"), primary_key=True, index=True
    )
    probability: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None while it awaits a decision; "not_same" once someone judged them two people.
    decision: Mapped[str | None] = mapped_column(String(16), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(Integer)
