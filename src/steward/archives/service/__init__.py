"""The archives domain's public use-cases. Other domains (retention, SAR) and adapters use these."""

from steward.archives.service.access import may_see_file, require_names, sees_whole_archive
from steward.archives.service.certificates import (
    certificates_page,
    list_certificates,
    view_certificate,
)
from steward.archives.service.destruction import (
    mark_for_destruction,
    out_of_store,
    read_certificate,
    reconcile_certificate,
)
from steward.archives.service.export import inventory_rows
from steward.archives.service.files import (
    FileView,
    add_file,
    files_page,
    files_without_box,
    view_file,
)
from steward.archives.service.importer import InventoryReport, import_inventory
from steward.archives.service.jobs import IMPORT, start_import
from steward.archives.service.linking import LinkReport, link_archive
from steward.archives.service.places import (
    box_by_barcode,
    boxes_at,
    boxes_page,
    create_box,
    create_location,
    get_location,
    list_locations,
    location_by_code,
    move_box,
    view_box,
)
from steward.archives.service.retrievals import (
    RETRIEVAL_VIEWS,
    cancel_retrieval,
    get_retrieval,
    hand_out,
    has_legacy_notes,
    list_retrievals,
    read_retrieval,
    request_retrieval,
    retrieval_note,
    retrievals_page,
    return_retrieval,
    seal_legacy_notes,
)
from steward.archives.service.search import search_paper_files

__all__ = [
    "IMPORT",
    "RETRIEVAL_VIEWS",
    "FileView",
    "InventoryReport",
    "LinkReport",
    "add_file",
    "box_by_barcode",
    "boxes_at",
    "boxes_page",
    "cancel_retrieval",
    "certificates_page",
    "create_box",
    "create_location",
    "files_page",
    "files_without_box",
    "get_location",
    "get_retrieval",
    "hand_out",
    "has_legacy_notes",
    "import_inventory",
    "inventory_rows",
    "link_archive",
    "list_certificates",
    "list_locations",
    "list_retrievals",
    "location_by_code",
    "mark_for_destruction",
    "may_see_file",
    "move_box",
    "out_of_store",
    "read_certificate",
    "read_retrieval",
    "reconcile_certificate",
    "request_retrieval",
    "require_names",
    "retrieval_note",
    "retrievals_page",
    "return_retrieval",
    "seal_legacy_notes",
    "search_paper_files",
    "sees_whole_archive",
    "start_import",
    "view_box",
    "view_certificate",
    "view_file",
]
