"""The catalogue's versions and the DPO's thresholds. The catalogue holds the organisation's
wording of its controls, never personal data, so it is kept as the YAML the DPO published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class CatalogueVersion(Base):
    __tablename__ = "assurance_catalogue_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MeasureThreshold(Base):
    """One row per measure whose thresholds the DPO changed; the rest use the defaults."""

    __tablename__ = "assurance_thresholds"

    measure_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    green: Mapped[float] = mapped_column(Float)
    amber: Mapped[float] = mapped_column(Float)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
