"""Family-court documents for the demo cases: case notes, safeguarding letters, section 7
reports, analyses, court orders, letters and partner submissions, naming the case's people.

Templates with varied wording, filled from the case's cast. Plain text (fast to seal and
index); a share of court orders are made into small PDFs, as courts send them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from steward.demo.pdf import text_pdf
from steward.demo.people import Human
from steward.demo.places import Area
from steward.records.models import CaseType, DocumentKind, Provenance, SecurityMarking

PDF_SHARE_OF_ORDERS = 0.25
# The templates speak of "the children"; a case about one child reads these instead.
SINGULAR = (
    ("The children are", "The child is"),
    ("the children are", "the child is"),
    ("The children live", "The child lives"),
    ("The children were", "The child was"),
    ("children's", "child's"),
    ("The children", "The child"),
    ("the children", "the child"),
)


@dataclass
class Cast:
    """Who is in a case, as the documents speak of them."""

    children: list[Human]
    mother: Human | None = None
    father: Human | None = None
    applicants: list[Human] = field(default_factory=list)
    respondents: list[Human] = field(default_factory=list)
    relatives: list[Human] = field(default_factory=list)
    intervenors: list[Human] = field(default_factory=list)
    social_workers: list[Human] = field(default_factory=list)
    solicitors: dict[str, Human] = field(default_factory=dict)  # client's key (or "child")
    officers: list[Human] = field(default_factory=list)
    partner: Human | None = None  # a parent's new partner, spoken of, maybe not a party
    lives_with: Human | None = None  # the parent the children live with
    school: str = ""
    gp: str = ""


@dataclass
class CaseFacts:
    case_number: str
    case_type: CaseType
    area: Area
    opened: date
    closed: date | None
    today: date
    adviser: str  # the Family Court Adviser or Children's Guardian writing
    judge: str
    cast: Cast
    parties: set[str]  # keys of the humans who are parties: documents are about them only

    @property
    def court_line(self) -> str:
        return self.area.court


@dataclass
class DraftDocument:
    title: str
    kind: DocumentKind
    provenance: Provenance
    author: str
    marking: SecurityMarking
    about: list[Human]
    body: str
    created_on: date = date.min
    as_pdf: bool = False
    final: bool = False  # made only once a case has closed

    @property
    def data(self) -> bytes:
        if self.as_pdf:
            return text_pdf(self.title, self.body)
        return self.body.encode()

    @property
    def filename(self) -> str:
        stem = "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")
        while "--" in stem:
            stem = stem.replace("--", "-")
        return f"{stem[:80]}.{'pdf' if self.as_pdf else 'txt'}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def child_line(child: Human, on: date) -> str:
    born = (
        f"born {long_date(child.dob)}, aged {child.age_on(on, unknown=0)}"
        if child.dob
        else "age unknown"
    )
    known = f", known as {child.nickname}" if child.nickname else ""
    return f"{child.full_name} ({born}{known})"


def where(human: Human) -> str:
    """Where a person lives, as a document may say it: never a withheld address."""
    if human.address_withheld:
        return "at an address that is not to be disclosed"
    if human.address is None:
        return "at an address not known to the Service"
    return f"at {human.address.one_line()}"


def _parent_word(human: Human, cast: Cast) -> str:
    if human is cast.mother:
        return "the mother"
    if human is cast.father:
        return "the father"
    return human.formal


class Writer:
    """Writes the documents of one case in the order they come into being."""

    def __init__(self, rng: random.Random, facts: CaseFacts) -> None:
        self.rng = rng
        self.f = facts
        self.c = facts.cast
        self.on = facts.opened  # the date of the document being written

    def since_opened(self, at_most: int = 60) -> date:
        """A day before the document, in the life of the case, at most ``at_most`` days back."""
        earliest = max(self.f.opened, self.on - timedelta(days=at_most))
        return earliest + timedelta(days=self.rng.randint(0, max(0, (self.on - earliest).days)))

    # --- helpers ------------------------------------------------------------------------

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    @property
    def kids(self) -> str:
        return _list([k.called for k in self.c.children])

    @property
    def kids_full(self) -> str:
        return _list([child_line(k, self.f.opened) for k in self.c.children])

    @property
    def youngest_born(self) -> int:
        return max((k.dob.year for k in self.c.children if k.dob), default=self.f.opened.year)

    @property
    def plural(self) -> bool:
        return len(self.c.children) > 1

    def parents(self) -> list[Human]:
        return [p for p in (self.c.mother, self.c.father) if p and p.key in self.f.parties]

    def heading(self, title: str) -> str:
        return (
            f"{self.f.court_line}\nCase number: {self.f.case_number}\n\n{title.upper()}\n"
            f"Re: {_list([k.full_name for k in self.c.children])}\n\n"
        )

    def signoff(self, role: str | None = None) -> str:
        role = role or (
            "Children's Guardian"
            if self.f.case_type is not CaseType.PRIVATE_LAW
            else "Family Court Adviser"
        )
        return f"\n\n{self.f.adviser}\n{role}\n"

    def draft(
        self,
        title: str,
        kind: DocumentKind,
        body: str,
        about: list[Human],
        *,
        provenance: Provenance = Provenance.STAFF,
        author: str | None = None,
        marking: SecurityMarking = SecurityMarking.OFFICIAL_SENSITIVE,
        final: bool = False,
        as_pdf: bool = False,
    ) -> DraftDocument:
        if not self.plural:
            for many, one in SINGULAR:
                body = body.replace(many, one)
        return DraftDocument(
            title=title,
            kind=kind,
            provenance=provenance,
            author=author or self.f.adviser,
            marking=marking,
            about=[h for h in dict.fromkeys(about) if h.key in self.f.parties],
            body=body,
            final=final,
            as_pdf=as_pdf,
        )

    # --- documents ----------------------------------------------------------------------

    def case_note(self) -> DraftDocument:
        c, rng = self.c, self.rng
        parent = rng.choice(self.parents() or c.children)
        child = rng.choice(c.children)
        kind = rng.choice(("phone", "visit", "child", "school"))
        if kind == "phone":
            title = f"Case note: telephone call with {parent.formal}"
            body = (
                f"I telephoned {parent.full_name} ({_parent_word(parent, c)}) on "
                f"{parent.phone or 'the number held on file'}. "
                + self.pick(
                    f"{parent.pronoun().capitalize()} confirmed that {self.kids} "
                    f"{'are' if self.plural else 'is'} living {where(c.children[0])}. ",
                    f"{parent.pronoun().capitalize()} told me that contact had not taken place "
                    f"for several weeks and that {parent.pronoun()} was worried about "
                    f"{child.called}'s behaviour after the last visit. ",
                    f"{parent.pronoun().capitalize()} said that communication between the "
                    "parents remains difficult and takes place only by text message. ",
                )
                + self.pick(
                    f"I explained the role of the Service and that I would need to speak to "
                    f"{child.called} on my own. ",
                    "I explained that the court will want to know how any agreement will work "
                    "in practice, including handovers. ",
                    f"{parent.pronoun().capitalize()} raised concerns about alcohol use at the "
                    "other household; I said these would be explored in my enquiries. ",
                )
                + f"{parent.pronoun().capitalize()} agreed that I may contact {child.called}'s "
                f"school, {c.school}, and the GP, {c.gp}."
            )
            about = [parent, child]
        elif kind == "visit":
            title = "Case note: home visit"
            body = (
                f"Home visit to {parent.full_name} {where(parent)}. "
                + self.pick(
                    "The home was clean, warm and appropriately furnished. ",
                    "The property was cluttered but there were no immediate safety concerns. ",
                    f"{child.called} showed me {child.pronoun('possessive')} bedroom"
                    + (
                        f", which {child.pronoun()} shares with {c.children[0].called}. "
                        if child is not c.children[0]
                        else ". "
                    ),
                )
                + self.pick(
                    f"{parent.formal} presented as calm and child-focused throughout. ",
                    f"{parent.formal} became upset when we discussed the history of the "
                    "relationship. ",
                    f"{parent.formal} acknowledged that {parent.pronoun()} had found the past "
                    "year very difficult. ",
                )
                + f"I observed {child.called} with {parent.pronoun('object')}: the interaction "
                + self.pick("was warm and relaxed.", "was affectionate.", "was somewhat guarded.")
            )
            about = [parent, child]
        elif kind == "child":
            title = f"Case note: meeting with {child.called}"
            age = child.age_on(self.f.opened, unknown=8)
            body = (
                f"I met {child.full_name} at {c.school if age >= 4 else 'home'}. "
                + (
                    self.pick(
                        f"{child.called} drew a picture of {child.pronoun('possessive')} family "
                        f"and included both parents. ",
                        f'{child.called} said: "I want to see Dad more but not sleep over yet." ',
                        f"{child.called} told me that {child.pronoun()} likes living with Mum "
                        f"and misses {child.pronoun('possessive')} grandparents. ",
                        f"{child.called} did not want to talk about home and preferred to play. ",
                    )
                    if age >= 4
                    else f"{child.called} is too young to express wishes and feelings in words; "
                    "I observed the child's care and presentation instead. "
                )
                + "I explained in words suitable for the child's age that the judge makes the "
                "decision and that what is said will be shared with the court."
            )
            about = [child]
        else:
            title = f"Case note: contact with {c.school}"
            body = (
                f"I spoke to the designated safeguarding lead at {c.school} about "
                f"{child.full_name}. "
                + self.pick(
                    f"Attendance is {rng.randint(82, 99)}%. {child.called} is described as "
                    "settled and sociable.",
                    f"Attendance has fallen to {rng.randint(61, 85)}% this term and "
                    f"{child.called} has arrived late and hungry on several occasions.",
                    f"The school has no concerns about {child.called}'s care; both parents "
                    "attend parents' evenings separately.",
                )
            )
            about = [child]
        return self.draft(title, DocumentKind.CASE_NOTE, body, about)

    def safeguarding_letter(self) -> DraftDocument:
        c, f = self.c, self.f
        home = (
            c.mother.address.one_line()
            if c.mother and c.mother.address and not c.mother.address_withheld
            else "the mother's address"
        )
        police_result = self.pick(
            f"{f.area.police} hold no information about either parent.",
            f"{f.area.police} report {self.rng.randint(2, 6)} call-outs to "
            f"{home} "
            "for verbal arguments between the parents; no charges were brought.",
            f"{f.area.police} hold a caution for the father for common assault in "
            f"{f.opened.year - self.rng.randint(1, 5)}.",
        )
        la_result = self.pick(
            f"{f.area.local_authority} has no current or previous involvement with the family.",
            f"{f.area.local_authority} completed a child and family assessment in "
            f"{f.opened.year - 1}, which closed with no further action.",
            f"The children were subject to child in need plans with {f.area.local_authority} "
            f"until {f.opened.year - 1}.",
        )
        body = (
            self.heading("Safeguarding letter")
            + f"This letter is provided for the first hearing dispute resolution appointment. "
            f"The applicant is {_list([a.full_name for a in c.applicants])}; the respondent is "
            f"{_list([r.full_name for r in c.respondents])}. The application concerns "
            f"{self.kids_full}.\n\n"
            f"Safeguarding checks\nPolice: {police_result}\nLocal authority: {la_result}\n\n"
            f"Telephone interviews\n"
            + "".join(
                f"I spoke to {p.full_name} on {long_date(self.since_opened(14))}. "
                + self.pick(
                    f"{p.pronoun().capitalize()} wants the children to spend regular time with both parents.",
                    f"{p.pronoun().capitalize()} raised concerns about the other parent's mental health.",
                    f"{p.pronoun().capitalize()} alleged controlling behaviour during the relationship.",
                    f"{p.pronoun().capitalize()} denied the allegations made against {p.pronoun('object')}.",
                )
                + "\n"
                for p in self.parents()
            )
            + "\nRecommendation\n"
            + self.pick(
                "A section 7 report should be ordered, addressing the children's wishes and "
                "feelings and the allegations made.",
                "Subject to the parents reaching agreement at court, no further welfare report "
                "is needed.",
                "The allegations of domestic abuse should be determined before child "
                "arrangements are decided; interim contact should be supervised.",
            )
            + self.signoff()
        )
        return self.draft(
            "Safeguarding letter",
            DocumentKind.REPORT_TO_COURT,
            body,
            [*c.children, *self.parents()],
        )

    def partner_submission(self) -> DraftDocument:
        c, f = self.c, self.f
        if c.officers and self.rng.random() < 0.6:
            officer = c.officers[0]
            body = (
                f"{f.area.police} - disclosure to the family court\nOur reference: "
                f"{f.area.court_code}/{self.rng.randint(10000, 99999)}/{f.opened:%y}\n"
                f"Officer in case: {officer.title} {officer.name}\n\n"
                + "".join(
                    f"{p.full_name} (DOB {long_date(p.dob) if p.dob else 'not known'}): "
                    + self.pick(
                        "no convictions, cautions or intelligence.",
                        f"domestic incident reported {long_date(f.opened - timedelta(days=self.rng.randint(40, 700)))}, "
                        "graded standard risk.",
                        "subject of a non-molestation order, now expired.",
                    )
                    + "\n"
                    for p in self.parents()
                )
            )
            title, author = (
                f"Police disclosure from {f.area.police}",
                f"{officer.title} {officer.name}",
            )
        else:
            worker = c.social_workers[0] if c.social_workers else None
            author = worker.name if worker else f"{f.area.local_authority} Children's Services"
            title = (
                "Social work evidence statement"
                if f.case_type is CaseType.PUBLIC_LAW
                else f"Local authority checks from {f.area.short_name}"
            )
            body = (
                f"{f.area.local_authority}, Children's Services\n{title}\n"
                f"Author: {author}\nChildren: {self.kids_full}\n\n"
                + self.pick(
                    "The family has been known to the local authority since a referral from "
                    f"{c.school} about neglect. ",
                    f"A strategy discussion was held after {c.children[0].called} disclosed "
                    "an injury at school. ",
                    "Concerns relate to parental substance misuse and domestic abuse. ",
                )
                + (
                    f"{c.mother.full_name} has engaged with a parenting programme"
                    + self.pick(" and attended all sessions. ", " but missed most sessions. ")
                    if c.mother
                    else ""
                )
                + "The local authority's plan is "
                + self.pick(
                    "for the children to remain at home under a child protection plan.",
                    "to assess the maternal grandmother as a kinship carer.",
                    "for the children to remain in foster care while assessments are completed.",
                )
            )
        return self.draft(
            title,
            DocumentKind.PARTNER_SUBMISSION,
            body,
            [*c.children, *self.parents()],
            provenance=Provenance.PARTNER,
            author=author,
        )

    def section7_report(self) -> DraftDocument:
        c, f = self.c, self.f
        sections = [
            self.heading("Section 7 report (Children Act 1989)"),
            f"1. Introduction\nThis report was ordered at the hearing on "
            f"{long_date(self.since_opened(150))}. It concerns {self.kids_full}.\n",
            "2. Enquiries made\nI have read the court bundle, spoken to both parents, met the "
            f"{'children' if self.plural else 'child'}, and made enquiries of {c.school}, "
            f"{c.gp} and {f.area.police}.\n",
            "3. Background\n"
            + (
                f"{c.mother.full_name} and {c.father.full_name} separated in "
                f"{max(self.youngest_born, f.opened.year - self.rng.randint(1, 4))}. "
                if c.mother and c.father
                else ""
            )
            + (
                f"{c.mother.formal} now lives with {c.partner.full_name}. "
                if c.mother and c.partner
                else ""
            )
            + f"The children live with their {'father' if c.lives_with is c.father else 'mother'} "
            f"{where(c.children[0])}.\n",
        ]
        for child in c.children:
            age = child.age_on(f.opened, unknown=8)
            sections.append(
                f"4. {child.called}'s wishes and feelings\n"
                + (
                    self.pick(
                        f"{child.called} told me that {child.pronoun()} would like to see "
                        f"{child.pronoun('possessive')} father every weekend.",
                        f"{child.called} said {child.pronoun()} feels 'stuck in the middle' and "
                        "wants the arguing to stop.",
                        f"{child.called} was clear that {child.pronoun()} does not want to stay "
                        "overnight at the other parent's home at present.",
                    )
                    if age >= 5
                    else f"{child.called} is too young for wishes and feelings to be obtained "
                    "directly; I have considered the observations of the parents and nursery."
                )
                + "\n"
            )
        sections += [
            "5. Welfare checklist\nI have considered each element of section 1(3) of the "
            "Children Act 1989. "
            + self.pick(
                "The children's need for a relationship with both parents is central. ",
                "The risk of emotional harm from continued conflict is significant. ",
                "There is no evidence that the children would suffer harm in either household. ",
            )
            + "\n",
            "6. Recommendation\n"
            + self.pick(
                "I recommend a child arrangements order providing for the children to live "
                "with their mother and spend alternate weekends and half of school holidays "
                "with their father.",
                "I recommend a shared lives-with order, the children moving between the homes "
                "on a week-on, week-off basis.",
                "I recommend that contact with the father progresses from supported to "
                "unsupervised over three months, subject to negative drug tests.",
                "I recommend no order for direct contact at present; indirect contact by "
                "letter every month.",
            )
            + self.signoff(),
        ]
        return self.draft(
            "Section 7 report",
            DocumentKind.REPORT_TO_COURT,
            "\n".join(sections),
            [*c.children, *self.parents()],
        )

    def analysis(self, *, final: bool) -> DraftDocument:
        c, f = self.c, self.f
        title = "Final analysis and recommendations" if final else "Initial analysis"
        social_worker = (
            c.social_workers[0].name if c.social_workers else "the allocated social worker"
        )
        body = (
            self.heading(title)
            + f"The applicant is {f.area.local_authority}. The children are {self.kids_full}. "
            + (f"The mother is {c.mother.full_name}. " if c.mother else "")
            + (
                f"The father is {c.father.full_name}. "
                if c.father and c.father.key in f.parties
                else "The father is not named on the birth certificate and has not been identified. "
            )
            + f"The social worker is {social_worker}.\n\n"
            + "Threshold\n"
            + self.pick(
                "The local authority relies on neglect: poor home conditions, missed health "
                "appointments and the children's poor school attendance.",
                "The local authority relies on domestic abuse witnessed by the children and the "
                "mother's inability to protect them.",
                f"The local authority relies on a non-accidental injury to "
                f"{c.children[-1].called}, unexplained by either parent.",
            )
            + "\n\nThe children's circumstances\n"
            + "".join(
                f"{k.called} is placed "
                + self.pick(
                    "with local authority foster carers",
                    "with the maternal grandmother under a regulation 24 arrangement",
                    "at home with the mother under an interim supervision order",
                )
                + f" and attends {c.school}.\n"
                for k in c.children
            )
            + (
                "\nConnected persons\n"
                + "".join(
                    f"{r.full_name} ({'grandmother' if r.is_female else 'grandfather'}) lives "
                    f"{where(r)} and has asked to be assessed.\n"
                    for r in c.relatives
                )
                if c.relatives
                else ""
            )
            + "\nRecommendation\n"
            + (
                self.pick(
                    "I support the final care plan of long-term foster care with contact to the "
                    "mother six times a year.",
                    "I support a special guardianship order in favour of the maternal "
                    "grandmother, with a supervision order for twelve months.",
                    "I support the plan of adoption for the youngest child and long-term "
                    "foster care for the older children.",
                    "I support the children's return home under a twelve-month supervision order.",
                )
                if final
                else self.pick(
                    "I support the making of interim care orders. Further assessment of the "
                    "parents is required before final decisions.",
                    "I do not support removal at this stage; the children should remain at "
                    "home under an interim supervision order.",
                )
            )
            + self.signoff()
        )
        return self.draft(
            title, DocumentKind.REPORT_TO_COURT, body, [*c.children, *self.parents()], final=final
        )

    def court_order(self, *, final: bool) -> DraftDocument:
        c, f = self.c, self.f
        if f.case_type is CaseType.PRIVATE_LAW:
            title = (
                "Child arrangements order"
                if final
                else "Order following first hearing dispute resolution appointment"
            )
            terms = (
                self.pick(
                    "The children shall live with their mother. They shall spend time with their "
                    "father every other weekend from Friday after school to Sunday at 5pm.",
                    "The children shall live with both parents, alternating weekly on Fridays.",
                    "The children shall spend time with their father each Saturday from 10am to 4pm.",
                )
                if final
                else "The Family Court Adviser shall file a section 7 report by "
                f"{long_date(self.on + timedelta(days=self.rng.randint(70, 110)))}. "
                "The matter is listed for a dispute resolution appointment."
            )
        elif f.case_type is CaseType.PUBLIC_LAW:
            title = (
                self.pick(
                    "Care order",
                    "Supervision order",
                    "Special guardianship order",
                    "Placement order",
                )
                if final
                else "Interim care order"
            )
            terms = (
                f"The children are placed in the care of {f.area.local_authority}."
                if title in ("Care order", "Interim care order")
                else f"The court makes a {title.lower()} in respect of the children."
            )
        else:
            title = "Adoption order" if final else "Directions order (adoption)"
            adopters = _list([a.full_name for a in c.applicants]) or "the applicants"
            terms = (
                f"An adoption order is made in favour of {adopters}."
                if final
                else "The reporting officer shall witness consent and file a report."
            )
        body = (
            f"IN THE {f.court_line.upper()}\nCase number: {f.case_number}\n\n{title.upper()}\n\n"
            f"Before {f.judge} sitting on {long_date(self.on)}.\n\n"
            f"The children: {self.kids_full}.\n"
            f"The parties: {_list([p.full_name for p in c.applicants + c.respondents]) or f.area.local_authority}.\n\n"
            f"IT IS ORDERED THAT\n1. {terms}\n2. No document filed in these proceedings may be "
            "disclosed without the permission of the court.\n\n"
            "WARNING: where a child arrangements order is in force, no person may remove the "
            "child from the United Kingdom without the written consent of every person with "
            "parental responsibility or the leave of the court.\n"
        )
        return self.draft(
            title,
            DocumentKind.COURT_ORDER,
            body,
            [*c.children, *c.applicants, *c.respondents],
            provenance=Provenance.COURT,
            author=f.judge,
            final=final,
            as_pdf=self.rng.random() < PDF_SHARE_OF_ORDERS,
        )

    def letter(self) -> DraftDocument:
        c, f = self.c, self.f
        clients = [h for h in self.parents() if h.key in c.solicitors]
        if clients and self.rng.random() < 0.6:
            client = self.rng.choice(clients)
            solicitor = c.solicitors[client.key]
            title = f"Letter to {solicitor.organisation}"
            body = (
                f"{solicitor.full_name}\n{solicitor.organisation}\n{solicitor.email or ''}\n\n"
                f"Dear {solicitor.formal},\n\nYour client: {client.full_name}\n"
                f"Case number: {f.case_number}\n\n"
                + self.pick(
                    "Thank you for your letter. I confirm that my report will be filed by the "
                    "date set by the court.",
                    f"I would be grateful if your client could contact me on {f.area.landline}"
                    f"{self.rng.randrange(1000):03d} to arrange an interview.",
                    "I enclose a copy of the order. Please ensure your client receives it.",
                )
                + f"\n\nYours sincerely,\n{f.adviser}"
            )
            about = [client]
        else:
            recipient = self.rng.choice(self.parents() or c.children)
            title = f"Letter to {recipient.formal}"
            address = (
                "(address withheld: sent via solicitor)"
                if recipient.address_withheld or recipient.address is None
                else recipient.address.one_line().replace(", ", "\n")
            )
            body = (
                f"{recipient.full_name}\n{address}\n\nDear {recipient.formal},\n\n"
                + self.pick(
                    f"I have been asked by the court to prepare a report about {self.kids}. "
                    f"I would like to visit you at home on "
                    f"{long_date(self.on + timedelta(days=self.rng.randint(7, 21)))}.",
                    f"I am writing to let you know that the next hearing is on "
                    f"{long_date(self.on + timedelta(days=self.rng.randint(14, 90)))} at "
                    f"the {f.court_line}.",
                    "Thank you for meeting me. I have shared your views with the court.",
                )
                + f"\n\nYours sincerely,\n{f.adviser}"
            )
            about = [recipient]
        return self.draft(
            title, DocumentKind.CORRESPONDENCE, body, about, marking=SecurityMarking.OFFICIAL
        )

    def annex_a(self) -> DraftDocument:
        c, f = self.c, self.f
        adopters = _list([a.full_name for a in c.applicants]) or "the applicants"
        body = (
            f"{f.area.local_authority} Adoption Service\nAnnex A report\nCase number: "
            f"{f.case_number}\n\nThe child: {self.kids_full}\nThe applicants: {adopters}\n"
            + (f"Birth mother: {c.mother.full_name}\n" if c.mother else "")
            + (f"Birth father: {c.father.full_name}\n" if c.father else "Birth father: unknown\n")
            + f"\n{self.kids} has lived with {adopters} since "
            f"{long_date(f.opened - timedelta(days=self.rng.randint(70, 300)))}. "
            + self.pick(
                "The placement is stable and the child is thriving.",
                "The child has formed a secure attachment to the applicants.",
            )
            + " The agency recommends that an adoption order is made."
        )
        worker = c.social_workers[0].name if c.social_workers else f.area.local_authority
        return self.draft(
            "Annex A report",
            DocumentKind.PARTNER_SUBMISSION,
            body,
            [*c.children, *c.applicants],
            provenance=Provenance.PARTNER,
            author=worker,
        )

    def reporting_officer(self) -> DraftDocument:
        c = self.c
        body = (
            self.heading("Reporting officer's report")
            + "".join(
                f"I met {p.full_name} {where(p)}. "
                + self.pick(
                    f"{p.pronoun().capitalize()} understood the effect of adoption and signed "
                    "consent in my presence.",
                    f"{p.pronoun().capitalize()} does not consent to the adoption.",
                )
                + "\n"
                for p in self.parents()
            )
            + self.signoff("Reporting Officer")
        )
        return self.draft(
            "Reporting officer's report",
            DocumentKind.REPORT_TO_COURT,
            body,
            [*c.children, *self.parents()],
        )

    # --- a case's documents -------------------------------------------------------------

    def documents(self, count: int) -> list[DraftDocument]:
        """``count`` documents in the order a case produces them, dated within the case."""
        t = self.f.case_type
        # (writer, always included, made only when the case closes), in the order of a case
        plan: list[tuple[Callable[[], DraftDocument], bool, bool]]
        if t is CaseType.PRIVATE_LAW:
            plan = [
                (self.safeguarding_letter, True, False),
                (self.partner_submission, False, False),
                (lambda: self.court_order(final=False), False, False),
                (self.case_note, False, False),
                (self.case_note, False, False),
                (self.letter, False, False),
                (self.section7_report, False, False),
                (lambda: self.court_order(final=True), True, True),
            ]
        elif t is CaseType.PUBLIC_LAW:
            plan = [
                (self.partner_submission, True, False),
                (lambda: self.court_order(final=False), True, False),
                (lambda: self.analysis(final=False), False, False),
                (self.case_note, False, False),
                (self.case_note, False, False),
                (self.letter, False, False),
                (lambda: self.analysis(final=True), False, True),
                (lambda: self.court_order(final=True), True, True),
            ]
        else:
            plan = [
                (self.annex_a, True, False),
                (self.reporting_officer, False, False),
                (self.case_note, False, False),
                (self.letter, False, False),
                (lambda: self.court_order(final=True), True, True),
            ]
        if self.f.closed is None:
            plan = [entry for entry in plan if not entry[2]]  # nothing final in an open case
        required = [i for i, entry in enumerate(plan) if entry[1]]
        optional = [i for i, entry in enumerate(plan) if not entry[1]]
        extra = max(0, min(len(optional), count - len(required)))
        chosen = sorted(required + self.rng.sample(optional, extra))
        end = self.f.closed or self.f.today
        span = max(0, (end - self.f.opened).days)
        # Spread in order through the life of the case; the final documents when it closed.
        offsets = sorted(self.rng.randint(0, span) for _ in chosen)
        drafts = []
        for index, offset in zip(chosen, offsets, strict=True):
            write, _, final = plan[index]
            self.on = end if final else self.f.opened + timedelta(days=offset)
            draft = write()
            draft.created_on = self.on
            drafts.append(draft)
        return drafts
