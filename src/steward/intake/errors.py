"""The one error a partner's file meets when it is refused whole."""

from __future__ import annotations

from steward.core.errors import ValidationFailed
from steward.intake.policy import MESSAGES, Code


class Refused(ValidationFailed):
    """A file-level fault (policy.Code FILE_* or AGREEMENT_*): nothing is recorded. Carries
    the stable code beside the message, so the API, the CLI and the page all show both."""

    def __init__(self, code: Code, message: str | None = None) -> None:
        super().__init__(message or MESSAGES[code], errors={"file": message or MESSAGES[code]})
        self.code = code
