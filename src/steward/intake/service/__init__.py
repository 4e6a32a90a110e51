"""Use-cases of partner-data intake, one module each (ARCHITECTURE.md: split by use-case)."""

from steward.intake.service import notices as _notices
from steward.records.service import changes as _record_changes

# A correction of a person a partner sent is told to that partner, in the correction's own
# transaction (records cannot call intake: it announces, intake listens).
_record_changes.subscribe_corrections(_notices.on_person_corrected)
