"""Every table, imported in one place so Alembic and the test fixtures see the whole schema."""

from steward.core import audit, auth, crypto
from steward.core.db import Base
from steward.records import models as records_models

__all__ = ["Base", "audit", "auth", "crypto", "records_models"]
