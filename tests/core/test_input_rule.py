"""The one input rule: no control or invisible formatting character (bidirectional overrides,
zero-width characters, NUL...) gets in through any schema, form, query or command argument."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import unicodedata

import pytest
from pydantic import BaseModel, Field, ValidationError

import steward
from steward.core.schemas import FORBIDDEN_CHARS, StrictInput

HOSTILE = [
    "\x00",  # NUL: PostgreSQL cannot store it
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark
    "\u061c",  # Arabic letter mark
    "\x1b",  # escape: terminal control sequences
    "\x85",  # C1 next line
]
# Format characters newer than this Python's Unicode tables, refused already.
NEWER_FORMAT = set(range(0x13439, 0x13440))
# Schemas that are read models (what Steward sends out), never filled from input.
OUTPUT = {
    # accounts, case allocation, archive files and assurance API answers (0.3)
    "AccountRead",
    "ActionDetail",
    "ActionPlanSummaryRead",
    "ActionRead",
    "ActivityRead",
    "AllocationRead",
    "AreaRatingRead",
    "AreaStandingRead",
    "AssessmentRead",
    "AssetRead",
    "AttestationDetail",
    "AttestationRead",
    "AttestationSummaryRead",
    "AuditDetail",
    "AuditRead",
    "BreachDetailRead",
    "BreachRead",
    "CatalogueRead",
    "ChangeRead",
    "ClassDiffRead",
    "ClassRead",
    "EntryRead",
    "ExpectationRead",
    "FollowUpRead",
    "HistoryLineRead",
    "InventoryCheckRead",
    "LinkRead",
    "MeasureDetail",
    "MeasureRead",
    "MyReportDetail",
    "MyReportRead",
    "PasswordResetRead",
    "PriorityCountRead",
    "ReviewRead",
    "RoundRead",
    "RowFailure",
    "RowRead",
    "RuleRead",
    "ScheduleDiffRead",
    "ScheduleVersionRead",
    "StepRead",
    "SummaryRead",
    "TeamWorkers",
    "ThresholdsRead",
    "UpdateRead",
    "UseDetail",
    "UseRead",
    "WorkerRead",
    # the board report, the evidence pack and the file plan's answers (issue 16)
    "ActionsRead",
    "AreaRead",
    "AttestationsRead",
    "BoardReportRead",
    "BreachesRead",
    "EvidencePackRead",
    "EvidencePackStarted",
    "MeasureFigureRead",
    "OverallRead",
    "PriorityRead",
    "RecordClassRead",
    "RedActionRead",
    "TrendRead",
    # retention and jobs API answers (web/retention_api.py, retention_disposal_api.py, jobs_api.py)
    "CertificateRule",
    "ClassImpactRead",
    "CoveredRead",
    "DecisionsRecorded",
    "DisposalCounts",
    "DisposalItemRead",
    "DisposalListDetail",
    "DisposalListRead",
    "DueRead",
    "ExplanationRead",
    "HoldRead",
    "JobRead",
    "ScheduleDetail",
    "ScheduleRead",
    # identity and paper-archive API answers (web/identity_api.py, web/archives_api.py)
    "BoxDetail",
    "BoxRead",
    "CertificateDetail",
    "CertificateLineRead",
    "CertificateRead",
    "CheckRead",
    "DuplicatePairRead",
    "FileDetail",
    "FileRead",
    "FileRetrieval",
    "LocationListed",
    "LocationRead",
    "MergeRead",
    "MovementRead",
    "NotSameRead",
    "PairRead",
    "PersonCandidate",
    "PersonInPair",
    "PersonRead",
    "RetrievalOut",
    "UndatableList",
    "UndatableRead",
    "UserRead",
    "RoleGrantRead",
    "TokenRead",
    "TokenCreated",
    "AuditEventRead",
    "VerificationRead",
    "Me",
    "PersonSummary",
    "PartyRead",
    "DocumentRead",
    "CaseRead",
    "CaseDetail",
    "PersonDetail",
    "PersonCaseRead",
    "AddressRead",
    "OtherNameRead",
    "IdentifierRead",
    "ContactRead",
    "SearchHitRead",
    "BreakGlassOpened",
    "NameRead",
    "PaperFileHit",
    "RetrievalRead",
    "ReconciliationRead",
    "ClockRead",
    "SarRead",
    "SarDetail",
    "DisclosureStateRead",
    "DisclosureItemRead",
    "DisclosureRead",
    "RedactionRead",
    "DisclosureReviewRead",
    "AddedRead",
    "CountRead",
    "BundleRead",
    "BundleStateRead",
    "BuildStartedRead",
    "LinkIssuedRead",
    "DeliveryLinkRead",
    "PostingRead",
    "DeliveryHistoryRead",
    "RevokedRead",
    "PostedRead",
    "CorrectionMade",
    "CorrectionRead",
    "RestrictionRead",
    "StaffRead",
    "StaffDetail",
    "StandingLineRead",
    "StaffCompletionRead",
    "ImportProblemRead",
    "StaffImportRead",
    "NotCountedRead",
    "NotCompletionsRead",
    "CompletionsImportRead",
    "CourseRead",
    "CourseDetail",
    "VersionRead",
    "RequirementRead",
    "PreviewRead",
    "TrainingPolicyRead",
    "TeamLineRead",
    "TeamMemberRead",
    "TeamRead",
    "TeamCompletionRead",
    "TeamPersonRead",
    "TeamReminderSentRead",
    "SessionRecordedRead",
    "ReminderLogRead",
    # My training (web/training/my_api.py)
    "LineRead",
    "CompletionRead",
    "MyTrainingRead",
    "QuestionRead",
    "AttemptStarted",
    "WrongRead",
    "AttemptResultRead",
    "SyncRowRead",
    "SyncRead",
    "CertificateCheckRead",
    "FigureRead",
    "TeamFigureRead",
    "EmploymentTypeFigureRead",
    "TopicFigureRead",
    "CourseFigureRead",
    "TrendPointRead",
    "MissingRead",
    "NonCompliantRead",
    "TargetRead",
    "TrainingReportRead",
    # The partner register (intake/partner_schemas.py)
    "PartnerRead",
    "PartnerSummaryRead",
    "PartnerContactRead",
    "PartnerAccountRead",
    "AgreementRead",
    "PartnerDetail",
    "DatasetFieldRead",
    "DatasetRead",
    "OrganisationRead",
    # Partner data quality (web/intake/quality_api.py)
    "PartnerQualityRead",
    "QualitySummaryRead",
    "QualityCountsRead",
    "QualityResolutionRead",
    "QualityMonthRead",
    "QualityCodeRead",
    "PartnerQualityReportRead",
    # Partner submissions (web/intake/submissions_api.py)
    "SubmissionIssueRead",
    "SubmissionOutcomeRead",
    "SubmissionSummaryRead",
    "SubmissionRefusedRead",
    # The review of held partner data (web/intake/review_api.py)
    "HeldLineRead",
    "HeldIssueRead",
    "HeldFieldRead",
    "HeldIdentifierRead",
    "HeldCaseRead",
    "HeldCandidateRead",
    "HeldSourceRead",
    "HeldRowRead",
    "DecisionRead",
    "NoticeRead",
    "PartnerCorrectionRead",
    "PartnerCorrectionsRead",
    # The API's contract (web/api_contract.py): its error body and page envelope.
    "ApiError",
    "InductionCourse",
    "InductionRefusal",
    "ApiPage",
}
# Input with a rule of its own: a document's text may hold form feeds; its other text
# fields are checked by the same function (tested below).
OWN_RULE = {"ImportDocument"}


def test_the_rule_refuses_exactly_controls_and_format_characters() -> None:
    refused = {cp for cp in range(sys.maxunicode + 1) if FORBIDDEN_CHARS.match(chr(cp))}
    expected = {
        cp
        for cp in range(sys.maxunicode + 1)
        if chr(cp) not in "\t\n\r"
        and unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    }
    assert expected <= refused
    assert refused - expected <= NEWER_FORMAT


def _steward_models() -> dict[str, type[BaseModel]]:
    for module in pkgutil.walk_packages(steward.__path__, "steward."):
        importlib.import_module(module.name)
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("steward.") and sub is not StrictInput:
                found[sub.__name__] = sub
    return found


def test_every_input_schema_takes_the_rule() -> None:
    models = _steward_models()
    assert len(models) > 30
    forgotten = sorted(
        name
        for name, model in models.items()
        # A generic model's pages (ApiPage[UserRead]) are the generic's.
        if name.split("[")[0] not in OUTPUT | OWN_RULE
        and not issubclass(model, StrictInput)
        and "Settings" not in name
    )
    assert forgotten == [], "input schemas subclass steward.core.schemas.StrictInput"


class _Sample(StrictInput):
    name: str
    team: str | None = None
    refs: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)


@pytest.mark.parametrize("char", HOSTILE)
def test_strict_input_refuses_them_in_every_text_field(char: str) -> None:
    for field in ("name", "team"):
        with pytest.raises(ValidationError):
            _Sample.model_validate({"name": "Ava", field: f"Ava{char}Jones"})
    with pytest.raises(ValidationError):
        _Sample(name="Ava", refs=["ok", f"x{char}y"])
    with pytest.raises(ValidationError):
        _Sample(name="Ava", notes={"a": f"x{char}y"})
    assert _Sample(name="Ava Zielińska-O'Brien\tand\nmore").team is None


@pytest.mark.parametrize("char", HOSTILE)
def test_the_schemas_of_the_report_refuse_them(char: str) -> None:
    from steward.core.schemas import TokenCreate, UserCreate
    from steward.records.service.importer import ImportDocument
    from steward.web.records_api import BreakGlassRequest

    with pytest.raises(ValidationError):
        TokenCreate(name=f"scr{char}ipt")
    with pytest.raises(ValidationError):
        UserCreate.model_validate(
            {"username": "a.b", "role": "caseworker", "team": f"n{char}orth", "password": "x" * 12}
        )
    with pytest.raises(ValidationError):
        BreakGlassRequest(reason=f"Urgent call from {char}the school")
    with pytest.raises(ValidationError):
        ImportDocument.model_validate(
            {"title": f"No{char}te", "kind": "case_note", "created_on": "2024-01-01", "text": "x"}
        )
