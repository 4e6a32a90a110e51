"""Reading a partner's file: the formats told apart, the table every format becomes, and each
file-level refusal with a file that meets it and one that does not."""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zipfile
from datetime import date, datetime

import polars as pl
import pytest

from steward.intake import datasets, reading
from steward.intake.errors import Refused
from steward.intake.policy import MESSAGES, Code, FileFormat
from tests.intake.xlsx import workbook

ORDERS = datasets.get("court_orders")
HEADER = "case_number,order_type,order_date,court"
GOOD = "FC-1,care,2024-03-05,Leeds Family Court"


def csv(*lines: str, end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode()


def read(data: bytes, file_format: FileFormat = FileFormat.CSV, **kw: int) -> pl.DataFrame:
    return reading.read_table(data, file_format=file_format, dataset=ORDERS, **kw)


def refused(data: bytes, file_format: FileFormat = FileFormat.CSV, **kw: int) -> Refused:
    with pytest.raises(Refused) as caught:
        read(data, file_format, **kw)
    return caught.value


# --- the format ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("orders.csv", csv(HEADER, GOOD), FileFormat.CSV),
        ("ORDERS.CSV", csv(HEADER, GOOD), FileFormat.CSV),
        ("orders.txt", csv(HEADER, GOOD), FileFormat.CSV),
        ("orders.json", b'[{"case_number": "FC-1"}]', FileFormat.JSON),
        # by content first: JSON sent with another name, after a BOM and whitespace
        ("orders.csv", b'\xef\xbb\xbf \n {"rows": []}', FileFormat.JSON),
        ("upload", b"[]", FileFormat.JSON),
        ("orders.csv", workbook([["a"]]), FileFormat.XLSX),
        ("orders.xlsx", workbook([["a"]]), FileFormat.XLSX),
        ("orders.csv", b"", FileFormat.CSV),
    ],
)
def test_the_format_is_told_by_content_then_by_name(
    name: str, data: bytes, expected: FileFormat
) -> None:
    assert reading.detect_format(name, data) is expected


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("orders.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        ("orders.csv", b"%PDF-1.7\n1 0 obj"),
        ("orders.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        ("orders.csv", b"case_number\x00,order_type\n"),
        ("orders.xlsx", csv(HEADER, GOOD)),  # named .xlsx, but not a zip
        ("orders.docx", csv(HEADER, GOOD)),
        ("orders", csv(HEADER, GOOD)),
    ],
)
def test_anything_else_is_refused_as_a_format(name: str, data: bytes) -> None:
    with pytest.raises(Refused) as caught:
        reading.detect_format(name, data)
    assert caught.value.code is Code.FILE_FORMAT


def test_nothing_with_no_name_to_go_by_is_an_empty_file() -> None:
    with pytest.raises(Refused) as caught:
        reading.detect_format("upload", b"")
    assert caught.value.code is Code.FILE_EMPTY


# --- the table -----------------------------------------------------------------------------


def test_a_csv_becomes_the_datasets_columns_in_order_all_text_stripped_empty_null() -> None:
    data = csv(
        " Court , ORDER_DATE,order_type,Case_Number",  # any order, any case, spaces around
        '"Leeds, Family Court",2024-03-05,care,FC-1',
        '  Bristol  ,05/03/2024, supervision ,"FC-2"',
        ",,,",
        "Hull,  ,other,FC-3",
    )
    table = read(data)
    assert table.columns == list(ORDERS.columns)
    assert all(dtype == pl.String for dtype in table.dtypes)
    assert table.rows() == [
        ("FC-1", "care", "2024-03-05", "Leeds, Family Court"),
        ("FC-2", "supervision", "05/03/2024", "Bristol"),
        (None, None, None, None),  # an empty row inside keeps its place: row 4 stays row 4
        ("FC-3", "other", None, "Hull"),
    ]


def test_a_bom_crlf_quoted_newlines_and_trailing_empty_rows_are_fine() -> None:
    data = b"\xef\xbb\xbf" + csv(
        HEADER, 'FC-1,care,2024-03-05,"Leeds\r\nFamily Court"', ",,,", "", end="\r\n"
    )
    table = read(data)
    assert table.rows() == [("FC-1", "care", "2024-03-05", "Leeds\r\nFamily Court")]


def test_cells_are_stripped_of_whatever_python_calls_whitespace() -> None:
    """Including the separators \x1c-\x1f, which Rust's strip leaves: the table's cells are
    stripped exactly as policy's per-value checks strip."""
    for pad in ("\u00a0", "\u2003", "\x1c", "\x1f \t"):
        data = csv(HEADER, f"{pad}FC-1{pad},care,2024-03-05,{pad}")
        assert read(data).rows() == [("FC-1", "care", "2024-03-05", None)]


def test_values_are_never_interpreted_only_read_as_text() -> None:
    hostile = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "../../etc/passwd", "0012", "1e3"]
    data = csv(HEADER, *(f"FC-{i},care,2024-03-05,{value}" for i, value in enumerate(hostile)))
    assert read(data).get_column("court").to_list() == hostile


# --- refusals, each with a file that passes ------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", csv(HEADER), b"\xef\xbb\xbf" + csv(HEADER), csv(HEADER, ",,,", ""), b"  \n\n"]
)
def test_a_file_with_no_rows_is_refused_as_empty(data: bytes) -> None:
    assert refused(data).code is Code.FILE_EMPTY


def test_one_row_is_not_empty() -> None:
    assert read(csv(HEADER, GOOD)).height == 1


@pytest.mark.parametrize("file_format", [FileFormat.CSV, FileFormat.JSON])
def test_text_that_is_not_utf8_is_refused(file_format: FileFormat) -> None:
    latin1 = (
        csv(HEADER, "FC-1,care,2024-03-05,Cour de Ren\xe9e").decode().encode("latin-1")
        if file_format is FileFormat.CSV
        else json.dumps(
            [{**dict.fromkeys(ORDERS.columns, "x"), "court": "Ren\xe9e"}], ensure_ascii=False
        ).encode("cp1252")
    )
    assert refused(latin1, file_format).code is Code.FILE_ENCODING
    utf8 = latin1.decode("latin-1").encode("utf-8")
    assert reading.read_table(utf8, file_format=file_format, dataset=ORDERS) is not None


@pytest.mark.parametrize(
    "data",
    [
        csv(HEADER, 'FC-1,care,2024-03-05,"Cour de Ren\xe9e, Lyon"').decode().encode("latin-1"),
        csv("case_number,order_type,order_date,c\xf4urt", GOOD).decode().encode("latin-1"),
        csv(HEADER, GOOD) + b"FC-2,care,2024-03-05,\xc3\n",  # a sequence cut short
    ],
)
def test_a_stray_byte_anywhere_in_a_csv_is_an_encoding_fault(data: bytes) -> None:
    assert refused(data).code is Code.FILE_ENCODING


def test_a_missing_column_is_named() -> None:
    error = refused(csv("case_number,order_type,court", "FC-1,care,Leeds"))
    assert error.code is Code.FILE_HEADER
    assert "order_date" in error.message


def test_a_column_not_in_the_template_is_refused_and_counted_not_echoed() -> None:
    error = refused(csv(HEADER + ",child_name", GOOD + ",Jane"))
    assert error.code is Code.FILE_HEADER
    assert "1 column not in the template" in error.message
    assert "child_name" not in error.message


def test_a_repeated_column_is_refused() -> None:
    assert refused(csv(HEADER + ",Court", GOOD + ",Hull")).code is Code.FILE_HEADER


def test_a_file_without_its_header_row_is_refused_without_echoing_the_data() -> None:
    error = refused(csv("FC-77,care,2024-03-05,Jane Smith Family Court", GOOD))
    assert error.code is Code.FILE_HEADER
    for value in ("FC-77", "Jane", "Smith", "2024-03-05"):
        assert value not in error.message
    assert error.errors == {"file": error.message}


def test_an_empty_unnamed_column_is_tolerated_but_one_with_data_is_not() -> None:
    assert read(csv(HEADER + ",", GOOD + ",")).height == 1
    assert refused(csv(HEADER + ",", GOOD + ",x")).code is Code.FILE_HEADER


def test_more_rows_than_the_limit_are_refused() -> None:
    three = csv(HEADER, GOOD, GOOD, GOOD)
    assert refused(three, max_rows=2).code is Code.FILE_TOO_MANY_ROWS
    assert read(three, max_rows=3).height == 3
    # empty rows at the end are not rows
    assert read(csv(HEADER, GOOD, GOOD, ",,,", ""), max_rows=2).height == 2


@pytest.mark.parametrize(
    "data",
    [
        csv(HEADER, GOOD, "FC-2,care,2024-03-05"),  # short row
        csv(HEADER, GOOD, GOOD + ",extra"),  # long row
        csv(HEADER, '"FC-2,care,2024-03-05,Leeds'),  # unbalanced quote
        csv(HEADER, 'FC-2,"care" x,2024-03-05,Leeds'),  # text after a closing quote
        csv(HEADER, '"FC-2",care,2024-03-05'),  # short row in a file with quotes
        csv("case_number;order_type;order_date;court", "FC-1;care;2024-03-05;Leeds") + b"x,y",
    ],
)
def test_csv_that_does_not_parse_evenly_is_refused_as_a_format(data: bytes) -> None:
    assert refused(data).code in {Code.FILE_FORMAT, Code.FILE_HEADER}
    if b";" not in data:
        assert refused(data).code is Code.FILE_FORMAT


# --- JSON ----------------------------------------------------------------------------------


def test_json_rows_become_text_numbers_included() -> None:
    rows = [
        {"case_number": "FC-1", "order_type": "care", "order_date": "2024-03-05", "court": "Leeds"},
        {"Case_Number": 1234, "order_type": None, "order_date": "2024-03-05", "court": 2.5},
        {"case_number": 9434765919.0, "order_type": True},  # missing keys are nulls
    ]
    for data in (json.dumps(rows), json.dumps({"rows": rows})):
        table = read(data.encode(), FileFormat.JSON)
        assert table.rows() == [
            ("FC-1", "care", "2024-03-05", "Leeds"),
            ("1234", None, "2024-03-05", "2.5"),
            ("9434765919", "true", None, None),
        ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"[]", Code.FILE_EMPTY),
        (b'{"rows": []}', Code.FILE_EMPTY),
        (b'{"case_number": "FC-1"}', Code.FILE_FORMAT),  # an object, not rows
        (b'["FC-1", "care"]', Code.FILE_FORMAT),
        (b'[{"case_number": ["FC-1"]}]', Code.FILE_FORMAT),  # not a scalar
        (b'[{"case_number": {"id": 1}}]', Code.FILE_FORMAT),
        (b'[{"case_number": "FC-1",', Code.FILE_FORMAT),  # cut short
        (
            b'[{"case_number": "FC-1", "order_type": "care", "order_date": "x", "court": "y",'
            b' "notes": "z"}]',
            Code.FILE_HEADER,
        ),
        (b'[{"case_number": "FC-1"}]', Code.FILE_HEADER),  # three columns never sent
    ],
)
def test_json_refusals(data: bytes, code: Code) -> None:
    assert refused(data, FileFormat.JSON).code is code


def test_json_rows_over_the_limit_are_refused() -> None:
    rows = json.dumps([dict.fromkeys(ORDERS.columns, "x")] * 3).encode()
    assert refused(rows, FileFormat.JSON, max_rows=2).code is Code.FILE_TOO_MANY_ROWS
    assert read(rows, FileFormat.JSON, max_rows=3).height == 3


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_first_sheet_dates_iso_whole_numbers_as_digits() -> None:
    data = workbook(
        [
            ["Case_Number", " order_type ", "ORDER_DATE", "court"],
            ["FC-1", "care", date(2024, 3, 5), "Leeds"],
            [9434765919, "Care", datetime(2024, 3, 5, 0, 0), 3.25],
            ["FC-3", None, "05/03/2024", True],
            [None, None, None, None],
        ]
    )
    assert read(data, FileFormat.XLSX).rows() == [
        ("FC-1", "care", "2024-03-05", "Leeds"),
        ("9434765919", "Care", "2024-03-05", "3.25"),
        ("FC-3", None, "05/03/2024", "true"),
    ]


def test_an_nhs_number_typed_as_a_number_reads_as_its_digits() -> None:
    data = workbook([list(ORDERS.columns), [943_476_5919.0, "care", "2024-03-05", "Leeds"]])
    assert read(data, FileFormat.XLSX).item(0, "case_number") == "9434765919"


BROKEN_SHEET = (
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main"><sheetData><row r="1"><c r="A1"><v>1</c></row></sheetData></worksheet>'
)


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (workbook([list(ORDERS.columns)]), Code.FILE_EMPTY),
        (workbook([["case_number", "court"], ["FC-1", "Leeds"]]), Code.FILE_HEADER),
        (workbook([], sheet=BROKEN_SHEET), Code.FILE_FORMAT),
        (_plain_zip(), Code.FILE_FORMAT),  # a zip, but not a workbook
        (b"PK\x03\x04 this is not really a zip", Code.FILE_FORMAT),
        (
            workbook(
                [list(ORDERS.columns), GOOD.split(",")],
                extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
            ),
            Code.FILE_FORMAT,
        ),
    ],
)
def test_xlsx_refusals(data: bytes, code: Code) -> None:
    assert refused(data, FileFormat.XLSX).code is code


def test_a_good_xlsx_passes() -> None:
    assert read(workbook([list(ORDERS.columns), GOOD.split(",")]), FileFormat.XLSX).height == 1


def test_xlsx_rows_over_the_limit_are_refused() -> None:
    data = workbook([list(ORDERS.columns), *[GOOD.split(",")] * 3])
    assert refused(data, FileFormat.XLSX, max_rows=2).code is Code.FILE_TOO_MANY_ROWS
    assert read(data, FileFormat.XLSX, max_rows=3).height == 3


# --- zip bombs -----------------------------------------------------------------------------


def _zip_with(name: str, *, size: int) -> bytes:
    """A workbook plus one entry of ``size`` zero bytes, compressed in a stream so building it
    never holds the expanded entry."""
    archive = io.BytesIO(workbook([list(ORDERS.columns), GOOD.split(",")]))
    with (
        zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
        z.open(name, "w", force_zip64=True) as entry,
    ):
        chunk = bytes(2**20)
        for _ in range(size // len(chunk)):
            entry.write(chunk)
    return archive.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _zip_with("xl/worksheets/sheet2.xml", size=256 * 2**20)


def test_a_zip_bomb_is_refused_without_being_expanded(bomb: bytes) -> None:
    assert len(bomb) < 2 * 2**20  # a quarter of a gigabyte, packed into under 2 MB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = refused(bomb, FileFormat.XLSX)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code is Code.FILE_BOMB
    assert error.message.startswith(MESSAGES[Code.FILE_BOMB])
    assert elapsed < 0.5
    assert peak < 16 * 2**20


def test_a_highly_compressed_entry_is_refused_even_when_small() -> None:
    assert refused(_zip_with("xl/media/x.bin", size=4 * 2**20), FileFormat.XLSX).code is (
        Code.FILE_BOMB
    )


def test_too_many_entries_is_refused() -> None:
    many = {f"xl/media/{i}.txt": b"x" for i in range(reading.XLSX_MAX_ENTRIES)}
    data = workbook([list(ORDERS.columns), GOOD.split(",")], extra=many)
    assert refused(data, FileFormat.XLSX).code is Code.FILE_BOMB


def test_an_entry_that_lies_about_its_size_is_not_handed_on() -> None:
    """Declared small, expanding larger: zipfile stops at the declared size and the CRC
    fails, so calamine never sees it."""
    real = workbook([list(ORDERS.columns), GOOD.split(",")], extra={"xl/media/x.txt": b"y" * 4000})
    data = bytearray(real)
    directory = data.rfind(b"PK\x01\x02")
    assert data[directory + 46 : directory + 60] == b"xl/media/x.txt"
    struct.pack_into("<I", data, directory + 24, 100)  # the central directory's size
    assert refused(bytes(data), FileFormat.XLSX).code is Code.FILE_FORMAT
