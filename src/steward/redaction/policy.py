"""Whether a mention is redacted, under which code, and the reason a reviewer reads.

Pure rules (DOMAIN.md §1): the requester's own data is disclosed; a professional acting in
role is named and their work contact details kept; anyone else's data is a third party's and
redacted (THIRD_PARTY); an address that must not be disclosed (a refuge) is redacted wherever it
is not the requester's; a name the case does not know, or a number nobody in the text owns, is
treated as a third party's.
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.redaction.spans import Code, Label, Role

# How each label reads in a reason: "other parent's address", "name of a third party".
NOUNS: dict[Label, str] = {
    Label.NAME: "name",
    Label.ADDRESS: "address",
    Label.POSTCODE: "postcode",
    Label.PHONE: "phone number",
    Label.EMAIL: "email address",
    Label.NHS_NUMBER: "NHS number",
    Label.NI_NUMBER: "National Insurance number",
    Label.DATE_OF_BIRTH: "date of birth",
    Label.IDENTIFIER: "identifying number",
    Label.OTHER: "text",
}

# Parts of an address: what address_withheld protects.
_ADDRESS_LABELS = frozenset({Label.ADDRESS, Label.POSTCODE})


@dataclass(frozen=True, slots=True)
class Decision:
    redact: bool
    code: Code | None
    reason: str


def decide(
    role: Role, label: Label, *, relation: str | None = None, withheld: bool = False
) -> Decision:
    """The decision for data of `label` belonging to someone in `role`.

    `relation` names them in the reason ("other parent"); `withheld` is their address being one
    that must not be disclosed. Role.UNKNOWN is a person the case does not know.
    """
    noun = NOUNS[label]
    if role is Role.REQUESTER:
        return Decision(False, None, f"the requester's own {noun}")
    if withheld and label in _ADDRESS_LABELS:
        return Decision(True, Code.THIRD_PARTY, f"{noun} that must not be disclosed")
    if role is Role.PROFESSIONAL:
        who = relation or "professional"
        if label is Label.NAME:
            return Decision(False, None, f"{who} acting in role")
        return Decision(False, None, f"{who}'s work contact details")
    if role is Role.UNKNOWN:
        if label is Label.NAME:
            return Decision(True, Code.THIRD_PARTY, "name not known to the case")
        return unattributed(label)
    if relation:
        return Decision(True, Code.THIRD_PARTY, f"{relation}'s {noun}")
    return Decision(True, Code.THIRD_PARTY, f"{noun} of a third party")


def unattributed(label: Label) -> Decision:
    """A pattern hit (NHS number, phone, ...) that nobody in the text or the case owns."""
    return Decision(True, Code.THIRD_PARTY, f"{NOUNS[label]} not known to be the requester's")


def shared(decisions: list[Decision]) -> Decision:
    """One mention that could be any of several people (a first name two parties share):
    kept only when every one of them would keep it; otherwise the safe side, redacted."""
    redacted = [d for d in decisions if d.redact]
    if not redacted:
        return decisions[0]
    if len(redacted) == len(decisions):
        return redacted[0]
    return Decision(True, redacted[0].code, f"{redacted[0].reason}, shared with someone else")
