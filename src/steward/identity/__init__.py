"""Identity resolution: finding every record about one human through changed names and wrong data."""

from steward.identity.service import (
    Candidate,
    DuplicateCluster,
    MatchModelInfo,
    PeopleImportReport,
    PersonQuery,
    find_duplicates,
    find_people,
    import_people_csv,
    train_model,
)

__all__ = [
    "Candidate",
    "DuplicateCluster",
    "MatchModelInfo",
    "PeopleImportReport",
    "PersonQuery",
    "find_duplicates",
    "find_people",
    "import_people_csv",
    "train_model",
]
