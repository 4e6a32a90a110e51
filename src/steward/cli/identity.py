"""`steward people`: find everyone's records through changed names and wrong data.

Thin adapters over ``steward.identity.service``, acting as ``Actor.system()``: every search,
import, training and duplicates run is audited under it (ids and counts only).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from steward.cli.runtime import (
    CliError,
    console,
    engine_for,
    err_console,
    load_settings,
    require_migrated,
    unit_of_work,
)
from steward.core.db import make_sessionmaker
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.identity import service
from steward.identity.service import PersonQuery
from steward.identity.service.duplicates import Engine

app = typer.Typer(
    help="People: find everyone's records through changed names and wrong data.",
    no_args_is_help=True,
)

MAX_PROBLEMS_SHOWN = 50
QUERY_COLUMNS = (
    "query_id",
    "first_name",
    "middle_names",
    "last_name",
    "previous_last_names",
    "dob",
    "postcode",
    "address",
    "previous_postcodes",
)


@contextmanager
def _factory() -> Iterator[sessionmaker[Session]]:
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    with engine_for(load_settings()) as engine:
        require_migrated(engine)
        yield make_sessionmaker(engine)


def _count_rows(path: Path) -> int:
    with path.open("rb") as f:
        return max(sum(1 for _ in f) - 1, 0)


@app.command("import")
def import_people(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a header: record_id, first_name, middle_names, last_name, dob, "
            "postcode, address (docs/identity.md).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a legacy person index. Re-running the same file imports only new record_ids.
    Exits with status 1 if any row was refused."""
    progress = Progress(
        TextColumn("Importing people"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} rows"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with _factory() as factory, progress:
        task = progress.add_task("import", total=_count_rows(file))
        report = service.import_people_csv(
            factory,
            file,
            actor=Actor.system(),
            progress=lambda n: progress.advance(task, n),
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        console.print(
            f"Imported {report.created} person record(s); skipped {report.skipped} already "
            f"imported; refused {len(report.problems)} row(s) in {report.seconds:.1f} s.",
            markup=False,
        )
        for note in report.notes[:MAX_PROBLEMS_SHOWN]:
            console.print(f"  line {note.line}: {note.reason}", markup=False)
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            err_console.print(f"  line {problem.line}: {problem.reason}", markup=False)
        if len(report.problems) > MAX_PROBLEMS_SHOWN:
            err_console.print("  ... and more (use --json for the list).", markup=False)
    if not report.ok:
        raise typer.Exit(1)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(";") if p.strip())


def _query_from_row(row: dict[str, str | None]) -> PersonQuery:
    return PersonQuery(
        first_name=(row.get("first_name") or "").strip(),
        last_name=(row.get("last_name") or "").strip(),
        middle_names=(row.get("middle_names") or "").strip() or None,
        previous_last_names=_split(row.get("previous_last_names")),
        dob=service.parse_dob(row.get("dob")),
        postcode=(row.get("postcode") or "").strip() or None,
        address=(row.get("address") or "").strip() or None,
        previous_postcodes=_split(row.get("previous_postcodes")),
    )


def _print_candidates(candidates: list[service.Candidate]) -> None:
    if not candidates:
        console.print("No person records found.", markup=False)
    for c in candidates:
        ref = f" (record {c.record_id})" if c.record_id else ""
        console.print(
            f"person {c.person_id}{ref}: {c.band}, {c.score:.3f} - {'; '.join(c.reasons)}",
            markup=False,
        )


def _batch(path: Path, limit: int) -> None:
    with _factory() as factory, path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [
            c for c in ("query_id", "first_name", "last_name") if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise CliError(
                f"The queries file has no {', '.join(missing)} column: the header must name "
                f"{', '.join(QUERY_COLUMNS)}."
            )
        with factory() as db:
            for row in reader:
                try:
                    query = _query_from_row(row)
                    found = service.find_people(db, query, actor=Actor.system(), limit=limit)
                except ValidationFailed as exc:
                    out: dict[str, object] = {
                        "query_id": row.get("query_id"),
                        "error": exc.message,
                        "candidates": [],
                    }
                else:
                    out = {
                        "query_id": row.get("query_id"),
                        "candidates": [c.as_dict() for c in found],
                    }
                db.commit()  # each query's search event lands as it is answered
                typer.echo(json.dumps(out))


@app.command("find")
def find(
    first_name: Annotated[
        str | None, typer.Option("--first-name", help="First name, as the person gives it.")
    ] = None,
    last_name: Annotated[
        str | None, typer.Option("--last-name", help="Current last name (surname).")
    ] = None,
    middle_names: Annotated[
        str | None, typer.Option("--middle-names", help="Middle names, space-separated.")
    ] = None,
    previous_last_name: Annotated[
        list[str] | None,
        typer.Option("--previous-last-name", help="A previous surname; repeat for several."),
    ] = None,
    dob: Annotated[
        str | None, typer.Option("--dob", help="Date of birth, written YYYY-MM-DD.")
    ] = None,
    postcode: Annotated[str | None, typer.Option("--postcode", help="Current postcode.")] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Current address, e.g. '12 High St, Leeds'.")
    ] = None,
    previous_postcode: Annotated[
        list[str] | None,
        typer.Option("--previous-postcode", help="A past postcode; repeat for several."),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            exists=True,
            dir_okay=False,
            help="CSV of queries (query_id, first_name, middle_names, last_name, "
            "previous_last_names, dob, postcode, address, previous_postcodes; lists ;-separated): "
            "prints one JSON line per query.",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=500, help="At most this many candidates.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print candidates as JSON.")] = False,
) -> None:
    """Find every person record that may be this person: "match" or "possible", best first."""
    if batch is not None:
        try:
            _batch(batch, limit)
        except UnicodeDecodeError:
            raise CliError(
                "The queries file is not UTF-8 text; save it as UTF-8 and run it again."
            ) from None
        except csv.Error as exc:
            raise CliError(f"The queries file is not valid CSV ({exc}).") from None
        return
    if not first_name or not last_name:
        raise CliError("Give --first-name and --last-name (or --batch FILE.csv).")
    query = PersonQuery(
        first_name=first_name,
        last_name=last_name,
        middle_names=middle_names,
        previous_last_names=tuple(previous_last_name or ()),
        dob=service.parse_dob(dob),
        postcode=postcode,
        address=address,
        previous_postcodes=tuple(previous_postcode or ()),
    )
    with unit_of_work() as db:
        found = service.find_people(db, query, actor=Actor.system(), limit=limit)
    if as_json:
        typer.echo(json.dumps([c.as_dict() for c in found]))
    else:
        _print_candidates(found)


@app.command("duplicates")
def duplicates(
    as_json: Annotated[bool, typer.Option("--json", help="Print clusters as JSON.")] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="auto (Splink's predict from 20,000 persons), steward (Python scorer) or splink.",
        ),
    ] = "auto",
) -> None:
    """Suggest clusters of person records that are one human (and show confirmed merges)."""
    if engine not in ("auto", "steward", "splink"):
        raise typer.BadParameter("choose auto, steward or splink", param_hint="--engine")
    with unit_of_work() as db:
        clusters = service.find_duplicates(db, actor=Actor.system(), engine=cast(Engine, engine))
    if as_json:
        typer.echo(json.dumps([c.as_dict() for c in clusters]))
        return
    if not clusters:
        console.print("No likely duplicates.", markup=False)
    for c in clusters:
        state = "merged" if c.merged else f"suggested, {c.score:.3f}"
        console.print(f"{', '.join(map(str, c.person_ids))} ({state})", markup=False)


@app.command("reindex")
def reindex(
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Rebuild every person's match keys (after the nickname table or key rules change)."""
    with unit_of_work() as db:
        report = service.reindex_people(db, actor=Actor.system())
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    console.print(f"Reindexed {report.persons} people ({report.keys} match keys).", markup=False)


@app.command("train")
def train(
    as_json: Annotated[bool, typer.Option("--json", help="Print the model as JSON.")] = False,
) -> None:
    """Train the match weights on the persons held now (Splink's EM) as a new model version."""
    with _factory() as factory:
        info = service.train_model(factory, actor=Actor.system())
    if as_json:
        typer.echo(json.dumps(info.as_dict(), indent=2))
        return
    console.print(
        f"Model version {info.version} trained on {info.record_count} persons with "
        f"{info.trainer} in {info.seconds:.1f} s.",
        markup=False,
    )
    for comparison, levels in info.weights.items():
        shown = ", ".join(f"{label} {w:+.1f}" for label, w in levels.items())
        console.print(f"  {comparison}: {shown}", markup=False)
