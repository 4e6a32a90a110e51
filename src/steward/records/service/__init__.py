"""The records domain's public use-cases. Other domains and the adapters import from here."""

from steward.records.service.access import (
    NeedsBreakGlass,
    require_any_case_access,
    visible_cases,
    visible_person,
)
from steward.records.service.break_glass import (
    BreakGlassAlert,
    BreakGlassLimitReached,
    BreakGlassLimits,
    NoSuchCase,
    break_glass,
    break_glass_alerts,
    break_glass_log,
    mark_reviewed,
    refuse,
    unreviewed_break_glass_count,
)
from steward.records.service.cases import (
    assign,
    case_id_for_number,
    close_case,
    create_case,
    my_cases,
    reopen_case,
    view_case,
)
from steward.records.service.destroy import (
    KEPT_AFTER_DESTRUCTION,
    DestroyedCase,
    delete_unreferenced_persons,
    destroy_case,
)
from steward.records.service.documents import (
    DocumentFile,
    add_document,
    download_document,
    view_document,
)
from steward.records.service.extraction import (
    RunReport,
    UnextractedPage,
    run_pending,
    unextracted_documents,
)
from steward.records.service.file_plan import ensure_default_file_plan, list_classes
from steward.records.service.importer import (
    ImportCase,
    ImportReport,
    LineProblem,
    import_cases,
    read_lines,
)
from steward.records.service.persons import add_party, create_person, view_person
from steward.records.service.search import SearchHit, search

__all__ = [
    "KEPT_AFTER_DESTRUCTION",
    "BreakGlassAlert",
    "BreakGlassLimitReached",
    "BreakGlassLimits",
    "DestroyedCase",
    "DocumentFile",
    "ImportCase",
    "ImportReport",
    "LineProblem",
    "NeedsBreakGlass",
    "NoSuchCase",
    "RunReport",
    "SearchHit",
    "UnextractedPage",
    "add_document",
    "add_party",
    "assign",
    "break_glass",
    "break_glass_alerts",
    "break_glass_log",
    "case_id_for_number",
    "close_case",
    "create_case",
    "create_person",
    "delete_unreferenced_persons",
    "destroy_case",
    "download_document",
    "ensure_default_file_plan",
    "import_cases",
    "list_classes",
    "mark_reviewed",
    "my_cases",
    "read_lines",
    "refuse",
    "reopen_case",
    "require_any_case_access",
    "run_pending",
    "search",
    "unextracted_documents",
    "unreviewed_break_glass_count",
    "view_case",
    "view_document",
    "view_person",
    "visible_cases",
    "visible_person",
]
