"""The identity domain's public use-cases. Other domains and the adapters import from here."""

from steward.identity.indexer import index_missing, index_persons
from steward.identity.service.duplicates import (
    MergeView,
    find_duplicates,
    merge_persons,
    merges_of,
    possible_duplicates,
    unmerge_persons,
)
from steward.identity.service.importer import import_people_csv
from steward.identity.service.queue import (
    CheckReport,
    Comparison,
    PersonDetail,
    PersonSummary,
    QueuedPair,
    check_duplicates,
    compare_persons,
    duplicate_queue,
    last_check,
    pending_duplicates_count,
    person_summaries,
    record_not_same,
)
from steward.identity.service.reindex import ReindexReport, reindex_people
from steward.identity.service.search import (
    SEARCH_PERMISSIONS,
    find_people,
    match_people,
    parse_dob,
    require_people_manage,
    require_search,
)
from steward.identity.service.train import current_model, train_model
from steward.identity.service.types import (
    Candidate,
    DuplicateCluster,
    MatchModelInfo,
    PeopleImportReport,
    PersonQuery,
    RowProblem,
)

__all__ = [
    "SEARCH_PERMISSIONS",
    "Candidate",
    "CheckReport",
    "Comparison",
    "DuplicateCluster",
    "MatchModelInfo",
    "MergeView",
    "PeopleImportReport",
    "PersonDetail",
    "PersonQuery",
    "PersonSummary",
    "QueuedPair",
    "ReindexReport",
    "RowProblem",
    "check_duplicates",
    "compare_persons",
    "current_model",
    "duplicate_queue",
    "find_duplicates",
    "find_people",
    "import_people_csv",
    "index_missing",
    "index_persons",
    "last_check",
    "match_people",
    "merge_persons",
    "merges_of",
    "parse_dob",
    "pending_duplicates_count",
    "person_summaries",
    "possible_duplicates",
    "record_not_same",
    "reindex_people",
    "require_people_manage",
    "require_search",
    "train_model",
    "unmerge_persons",
]
