"""The parts of docs/intake.md written from the code: each data set's fields (from
intake/datasets/*.yaml), every check's code, consequence and message (intake/policy.py) and
what each data-quality figure counts (intake/service/quality.py). tests/intake/test_docs.py
fails when the page and the code differ; to bring the page up to date, from the repository:

    PYTHONPATH=src .venv/bin/python -m tests.intake.intake_docs
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from steward.intake import datasets
from steward.intake.datasets import Dataset, Field, FieldType
from steward.intake.policy import CODE_TITLES, CONSEQUENCE, MESSAGES, Code, Consequence
from steward.intake.service.quality import DEFINITIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "intake.md"
BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
    re.DOTALL,
)

KIND_WORDS: dict[FieldType, str] = {
    FieldType.TEXT: "Text",
    FieldType.CHOICE: "One of the values listed",
    FieldType.DATE: "A date, `YYYY-MM-DD`",
    FieldType.CASE_NUMBER: "A case number the organisation holds, for example `LS24P00042`",
    FieldType.NHS_NUMBER: "10 digits with a valid check digit (spaces allowed)",
    FieldType.NI_NUMBER: "Two letters, six digits and `A`-`D` (spaces allowed)",
    FieldType.POSTCODE: "A UK postcode",
    FieldType.PHONE: "A UK phone number",
    FieldType.EMAIL: "An email address",
}
CONSEQUENCE_WORDS: dict[Consequence, str] = {
    Consequence.REFUSE: "file refused",
    Consequence.REJECT: "row rejected",
    Consequence.QUARANTINE: "row held",
}
FIGURE_NAMES: dict[str, str] = {
    "period": "Period",
    "submissions": "Files sent",
    "refused": "Refused",
    "rows": "Rows received",
    "accepted": "Accepted",
    "unchanged": "Unchanged",
    "held": "Held",
    "rejected": "Rejected",
    "rejected_percent": "% rejected",
    "held_percent": "% held",
    "codes": "Rows by issue code",
    "conflicts": "Conflicts",
    "waiting": "Still waiting",
    "open_held": "Open held rows",
    "oldest_held": "Oldest open held row",
    "decided": "Decided",
    "resolution": "Time to resolve (median, 90th percentile)",
    "summary": "The 90-day summary",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _what(field: Field) -> str:
    parts = [KIND_WORDS[field.type]]
    if field.choices:
        parts = ["One of " + ", ".join(f"`{c}`" for c in field.choices)]
    if field.past_only:
        parts.append("not after the day the file is sent")
    if field.max_length:
        parts.append(f"at most {field.max_length:,} characters")
    if field.opinion:
        parts.append("kept as the partner's professional opinion, apart from the facts")
    return "; ".join(parts) + "."


def dataset_table(dataset: Dataset) -> str:
    lines = [
        f"#### {dataset.title} (`{dataset.name}`, version {dataset.version})",
        "",
        _cell(dataset.description),
        "",
        "| Column | Label | Required | What it holds |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{f.name}` | {_cell(f.label)} | {'yes' if f.required else 'no'} | {_cell(_what(f))} |"
        for f in dataset.fields
    ]
    return "\n".join(lines) + "\n"


def datasets_block() -> str:
    return "\n".join(dataset_table(d) for _, d in sorted(datasets.latest().items()))


def codes_block() -> str:
    lines = ["| Code | Check | Consequence | Message to the partner |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{code.value}` | {_cell(CODE_TITLES[code])} | {CONSEQUENCE_WORDS[CONSEQUENCE[code]]}"
        f" | {_cell(MESSAGES[code])} |"
        for code in Code
    ]
    return "\n".join(lines) + "\n"


def definitions_block() -> str:
    return (
        "\n".join(
            f"- **{FIGURE_NAMES.get(key, key)}** (`{key}`): {_cell(text)}"
            for key, text in DEFINITIONS.items()
        )
        + "\n"
    )


BLOCKS: dict[str, Callable[[], str]] = {
    "datasets": datasets_block,
    "codes": codes_block,
    "quality_definitions": definitions_block,
}


def blocks_in(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(text)}


def rewritten(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + BLOCKS[m["name"]]() + m.group(4), text)


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = rewritten(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"{DOC}: brought up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
