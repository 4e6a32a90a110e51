"""How the request's codes read to a person, on pages, in the API and in the CLI: "Awaiting ID
or authority", not "awaiting_id"."""

from __future__ import annotations

from steward.sar.policy import Channel, Outcome, RequesterType, Right, Status

STATUS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.AWAITING_ID: "Awaiting ID or authority",
    Status.AWAITING_FEE: "Awaiting fee",
    Status.CLARIFICATION: "Awaiting clarification",
    Status.SEARCHING: "Searching",
    Status.REVIEWING: "Reviewing",
    Status.AWAITING_APPROVAL: "Awaiting approval",
    Status.SENT: "Sent",
    Status.CLOSED: "Closed",
    Status.REFUSED: "Refused",
    Status.WITHDRAWN: "Withdrawn",
}
# What the button that moves a request to each status says.
MOVE_TO: dict[Status, str] = {
    Status.AWAITING_ID: "Ask for ID or authority",
    Status.AWAITING_FEE: "Ask for a fee",
    Status.SEARCHING: "Start the search",
    Status.REVIEWING: "Move to review",
    Status.AWAITING_APPROVAL: "Send for approval",
    Status.SENT: "Approve and mark as sent",
    Status.CLOSED: "Close the request",
    Status.REFUSED: "Refuse the request",
    Status.WITHDRAWN: "Record that it was withdrawn",
}
RIGHT: dict[Right, str] = {
    Right.ACCESS: "Access (subject access)",
    Right.RECTIFICATION: "Rectification",
    Right.ERASURE: "Erasure",
    Right.RESTRICTION: "Restriction",
    Right.OBJECTION: "Objection",
}
REQUESTER: dict[RequesterType, str] = {
    RequesterType.DATA_SUBJECT: "The person themselves",
    RequesterType.PARENT: "A parent for a child",
    RequesterType.REPRESENTATIVE: "A solicitor or other representative",
    RequesterType.CHILD: "A child for themselves",
    RequesterType.CARE_LEAVER: "A care leaver",
}
CHANNEL: dict[Channel, str] = {
    Channel.LETTER: "Letter",
    Channel.EMAIL: "Email",
    Channel.PHONE: "Phone",
    Channel.IN_PERSON: "In person",
    Channel.ONLINE: "Online form",
}
OUTCOME: dict[Outcome, str] = {
    Outcome.DONE: "Done in full",
    Outcome.PARTLY: "Done in part",
    Outcome.REFUSED: "Refused",
}
