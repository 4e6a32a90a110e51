"""`steward redact detect`: JSON lines in, one JSON line out per input, bad lines reported."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from steward.cli.main import app

LINE = {
    "id": "p1",
    "text": "Zoë Ní Bhriain lives at 14 Elm Road, Leeds LS6 2AB; Dean Marsh (NHS 943 476 5919) "
    "lives at 3 Mill Lane, Bradford BD3 1XY. Call her on 07700 900123.",
    "requester": {
        "names": ["Zoë Ní Bhriain"],
        "addresses": ["14 Elm Road, Leeds LS6 2AB"],
        "phones": ["07700 900123"],
    },
    "parties": [{"names": ["Dean Marsh"], "role": "third_party", "relation": "other parent"}],
}


def run(*args: str, input: str | None = None) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, ["redact", "detect", *args], input=input)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_round_trip_from_stdin_with_a_malformed_line_in_the_middle() -> None:
    second = {"id": 2, "text": "Nothing personal here."}
    stdin = "\n".join([json.dumps(LINE), "{not json", "", json.dumps(second), '{"id": 3}']) + "\n"
    code, out, _ = run("--no-ner", input=stdin)
    assert code == 0
    assert out[0]["id"] == "p1"
    text = LINE["text"]
    assert isinstance(text, str)
    spans = out[0]["spans"]
    assert isinstance(spans, list)
    assert [text[s["start"] : s["end"]] for s in spans] == [
        "Dean Marsh",
        "943 476 5919",
        "3 Mill Lane, Bradford BD3 1XY",
    ]
    assert spans[2] == {
        "start": text.index("3 Mill"),
        "end": text.index(". Call"),
        "label": "ADDRESS",
        "code": "THIRD_PARTY",
        "reason": "other parent's address",
    }
    assert out[1]["line"] == 2 and "not JSON" in str(out[1]["error"])
    assert out[2] == {"id": 2, "spans": []}
    assert out[3] == {"line": 5, "error": "text is required and must be a string"}


def test_reads_a_file_and_reports_bad_context_without_echoing_the_text(tmp_path: Path) -> None:
    bad = {"id": "x", "text": "=cmd|' /C calc'!A0 <script>", "parties": {"names": "Dean"}}
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(LINE) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    code, out, _ = run(str(path), "--no-ner")
    assert code == 0
    assert out[1] == {"line": 2, "error": "parties must be a list"}
    assert "calc" not in json.dumps(out[1])


def test_a_missing_file_fails_with_a_clear_message() -> None:
    code, out, err = run("/nonexistent/in.jsonl", "--no-ner")
    assert code == 1 and out == []
    assert "cannot read" in err


def test_the_default_run_uses_the_name_model_when_there_is_one_and_still_answers() -> None:
    line = {"id": 1, "text": "Gwen Pritchard rang about Dean Marsh."}
    code, out, _ = run(input=json.dumps(line) + "\n")
    assert code == 0
    spans = out[0]["spans"]
    assert isinstance(spans, list)
    assert [s["reason"] for s in spans] == ["name not known to the case"] * 2
