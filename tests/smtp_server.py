"""A real SMTP server on a loopback port, for tests that send email through the outbox.

aiosmtpd is not a dependency and the standard library's smtpd is gone from newer Pythons, so
this speaks the little of RFC 5321 that smtplib uses (EHLO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT) over a real socket: what the outbox sends is what a mail server would receive."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Mailbox:
    port: int
    received: list[Received] = field(default_factory=list)
    refuse_recipients: bool = False


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        self._reply("220 localhost test SMTP ready")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-localhost")
                self._reply("250 8BITMIME")
            elif verb == "HELO":
                self._reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip(), []
                self._reply("250 OK")
            elif verb == "RCPT":
                if box.refuse_recipients:
                    self._reply("550 No such user here")
                else:
                    recipients.append(command.partition(":")[2].strip().strip("<>"))
                    self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                box.received.append(Received(sender, recipients, self._data()))
                self._reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: Mailbox


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.mailbox = Mailbox(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.mailbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
