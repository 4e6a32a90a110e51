"""`steward outbox list` and `show`: the kept email read from the command line (a site with no
mail server sends it another way), attachments saved on request; a missing message is a
readable refusal."""

from __future__ import annotations

import json
from pathlib import Path

from steward.core import keyfile, outbox
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from tests.cli.conftest import Cli

PDF = b"%PDF-1.4 the letter %%EOF"


def _send(cli: Cli) -> int:
    keyring = FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))
    with cli.session() as db:
        message = outbox.send(
            db,
            keyring,
            Actor.system(),
            to="kayleigh@example.org",
            subject="Your request SAR-2026-00001",
            body="Dear Kayleigh Marsden,\n\nYour letter is attached.",
            attachments=[("SAR-2026-00001-acknowledgement.pdf", "application/pdf", PDF)],
        )
        return message.id


def test_kept_messages_are_listed_and_shown(cli: Cli, tmp_path: Path) -> None:
    assert json.loads(cli.ok("outbox", "list", "--json").stdout)["total"] == 0
    message_id = _send(cli)
    listed = json.loads(cli.ok("outbox", "list", "--json").stdout)
    assert listed["total"] == 1
    assert listed["messages"][0] | {"created_at": None} == {
        "id": message_id,
        "created_at": None,
        "status": "queued",
        "sent_at": None,
        "to": "kayleigh@example.org",
        "subject": "Your request SAR-2026-00001",
        "attachments": 1,
    }
    assert "kayleigh@example.org" in cli.ok("outbox", "list").stdout
    shown = json.loads(cli.ok("outbox", "show", str(message_id), "--json").stdout)
    assert shown["body"] == "Dear Kayleigh Marsden,\n\nYour letter is attached."
    assert shown["attachments"] == [
        {
            "number": 1,
            "filename": "SAR-2026-00001-acknowledgement.pdf",
            "media_type": "application/pdf",
            "size": len(PDF),
        }
    ]
    text = cli.ok("outbox", "show", str(message_id), "--save-attachments", str(tmp_path)).stdout
    assert "Dear Kayleigh Marsden," in text and "Your letter is attached." in text
    saved = tmp_path / f"{message_id}-1-SAR-2026-00001-acknowledgement.pdf"
    assert saved.read_bytes() == PDF


def test_a_missing_message_or_directory_is_refused(cli: Cli, tmp_path: Path) -> None:
    missing = cli("outbox", "show", "999")
    assert missing.exit_code == 1 and "no message with that number" in missing.stderr
    message_id = _send(cli)
    nowhere = cli("outbox", "show", str(message_id), "--save-attachments", str(tmp_path / "no"))
    assert nowhere.exit_code == 1 and "is not a directory" in nowhere.stderr
