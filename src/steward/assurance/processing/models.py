"""Tables of the record of processing and the information asset register.

The register describes kinds of people and data, never a person: its free text is the
organisation's own account of its processing, published in part in its privacy notice, so it
is kept as text rather than sealed like case content. (The DPO's contact details are public by
Art 37(7).) Each change to an activity keeps the whole entry as it was before, with who and
when, in ``processing_activity_versions``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class ProcessingActivity(Base):
    __tablename__ = "processing_activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    controller_contact: Mapped[str] = mapped_column(Text, default="")
    dpo_contact: Mapped[str] = mapped_column(Text, default="")
    purposes: Mapped[str] = mapped_column(Text, default="")
    data_subjects: Mapped[str] = mapped_column(Text, default="")
    data_categories: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    transfers: Mapped[str] = mapped_column(Text, default="")
    erasure_limits: Mapped[str] = mapped_column(Text, default="")
    security_measures: Mapped[str] = mapped_column(Text, default="")
    lawful_basis: Mapped[str | None] = mapped_column(String(16))
    special_category: Mapped[bool] = mapped_column(Boolean, default=False)
    criminal_offence: Mapped[bool] = mapped_column(Boolean, default=False)
    art9_condition: Mapped[str | None] = mapped_column(String(16))
    sch1_condition: Mapped[str | None] = mapped_column(String(16))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ProcessingActivityVersion(Base):
    """An activity as it stood before a change (JSON of its fields), and who changed it."""

    __tablename__ = "processing_activity_versions"
    __table_args__ = (UniqueConstraint("activity_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activities.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ClassMapping(Base):
    """A record class of the file plan and the activity it serves (one each)."""

    __tablename__ = "processing_class_mappings"

    class_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activities.id", ondelete="CASCADE"), index=True
    )
    mapped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mapped_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AssetKind:
    PAPER = "paper"
    ELECTRONIC = "electronic"
    ALL = ("paper", "electronic")


class InformationAsset(Base):
    __tablename__ = "information_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(300), default="")  # place or system
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    security_notes: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    activity_links: Mapped[list[AssetActivity]] = relationship(
        cascade="all, delete-orphan", order_by="AssetActivity.activity_id"
    )
    class_links: Mapped[list[AssetClass]] = relationship(
        cascade="all, delete-orphan", order_by="AssetClass.class_code"
    )


class AssetActivity(Base):
    __tablename__ = "information_asset_activities"

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("information_assets.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activities.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssetClass(Base):
    __tablename__ = "information_asset_classes"

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("information_assets.id", ondelete="CASCADE"), primary_key=True
    )
    class_code: Mapped[str] = mapped_column(String(64), primary_key=True)
