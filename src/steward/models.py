"""Every table, imported in one place so Alembic and the test fixtures see the whole schema."""

from steward.archives import models as archives_models
from steward.assurance.audits import models as assurance_audits_models
from steward.assurance.breaches import models as breaches_models
from steward.assurance.controls import models as assurance_controls_models
from steward.assurance.oversight import models as oversight_models
from steward.assurance.pack import models as pack_models
from steward.assurance.processing import models as processing_models
from steward.core import audit, auth, crypto, jobs, outbox, rate_limits
from steward.core.db import Base
from steward.identity import models as identity_models
from steward.intake import models as intake_models
from steward.records import models as records_models
from steward.retention import models as retention_models
from steward.sar import delivery_models as sar_delivery_models
from steward.sar import disclosure_models as sar_disclosure_models
from steward.sar import models as sar_models
from steward.sar import search_models as sar_search_models
from steward.training import models as training_models

__all__ = [
    "Base",
    "archives_models",
    "assurance_audits_models",
    "assurance_controls_models",
    "audit",
    "auth",
    "breaches_models",
    "crypto",
    "identity_models",
    "intake_models",
    "jobs",
    "outbox",
    "oversight_models",
    "pack_models",
    "processing_models",
    "rate_limits",
    "records_models",
    "retention_models",
    "sar_delivery_models",
    "sar_disclosure_models",
    "sar_models",
    "sar_search_models",
    "training_models",
]
