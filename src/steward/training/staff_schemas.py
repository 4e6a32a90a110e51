"""What the API says of staff and of the two imports (the import reports are the same JSON as
`steward staff import --json` and `steward training import --json`)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from steward.core.schemas import StrictInput


class StaffRead(BaseModel):
    id: int
    staff_number: str
    name: str
    email: str | None
    team: str | None
    job_role: str | None
    employment_type: str
    start_date: date
    leaving_date: date | None
    manager_id: int | None
    user_id: int | None = Field(description="The Steward account this person signs in with")


class StandingLineRead(BaseModel):
    course_id: int
    course_code: str
    course_title: str
    kind: str
    status: str = Field(description="current, due_soon, overdue, never_done or not_yet_due")
    due_on: date | None
    last_completed_on: date | None


class StaffCompletionRead(BaseModel):
    course_id: int
    course_code: str
    course_version: int
    completed_on: date
    source: str = Field(description="e_learning, moodle, xapi or manual")
    score: int | None


class StaffDetail(StaffRead):
    manager_name: str | None
    username: str | None
    in_scope: bool = Field(description="Started and not yet left: counted in every figure")
    compliant: bool | None = Field(description="None when not in scope")
    requirements: list[StandingLineRead]
    completions: list[StaffCompletionRead]


class AccountLinkIn(StrictInput):
    username: str = Field(min_length=1, max_length=64)


class ImportProblemRead(BaseModel):
    row: int = Field(description="The spreadsheet row (the header is row 1) or statement number")
    column: str
    message: str


class StaffImportRead(BaseModel):
    file: str
    rows: int
    added: int
    changed: int
    unchanged: int
    leavers: int
    linked: int
    not_in_file: int
    rejected: int
    errors: list[ImportProblemRead]
    message: str


class NotCountedRead(BaseModel):
    failed: int
    below_pass_mark: int


class NotCompletionsRead(BaseModel):
    not_completed: int
    other_verbs: int


class CompletionsImportRead(BaseModel):
    file: str
    format: str = Field(description="moodle_csv or xapi")
    rows: int
    recorded: int
    already_recorded: int
    not_counted: NotCountedRead
    not_completions: NotCompletionsRead
    rejected: int
    errors: list[ImportProblemRead]
    batch: str
    message: str
