"""The detector on hand-written report text, not the generated benchmark paragraphs.

Real reports start sentences with ordinary words ("Hearing at ...", "Following the ...") and
name towns, counties, countries and organisations, none of which is personal data; and they
name people whose names are also places or words ("Chester told me", "Florence, the maternal
aunt"), which must stay redacted: a name missed is a breach, a place redacted is a click.
These run with the pinned spaCy model, as `steward redact detect` does.
"""

from __future__ import annotations

import pytest

from steward.redaction.detect import Detector
from steward.redaction.ner import spacy_names
from steward.redaction.people import Compiled

from .helpers import case

MOTHER = {"names": ["Kayleigh Jones"], "addresses": ["12 Mill Lane, Leeds LS1 4AB"]}
FATHER = {
    "names": ["Dean Marsh"],
    "role": "third_party",
    "relation": "father",
    "addresses": ["4 Oak Road, Bradford BD1 2AA"],
}
SOCIAL_WORKER = {"names": ["Priya Shah"], "role": "professional", "relation": "social worker"}


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(ner=spacy_names())


@pytest.fixture(scope="module")
def c() -> Compiled:
    return case(MOTHER, FATHER, SOCIAL_WORKER)


def redacted(detector: Detector, text: str, c: Compiled) -> list[str]:
    return [text[s.start : s.end] for s in detector.detect(text, c)]


def test_the_reported_paragraph_redacts_the_third_parties_and_nothing_else(
    detector: Detector, c: Compiled
) -> None:
    text = (
        "Ms Kayleigh Jones lives at 12 Mill Lane, Leeds LS1 4AB. Dean Marsh, the father, lives "
        "at 4 Oak Road,\nBradford BD1 2AA. The social worker, Priya Shah, visited on 3 May "
        "2025. The family moved from Manchester to Leeds last year and the children attend St "
        "Mary's Primary School. Hearing at Leeds Family Court on 12 June 2025 (case "
        "FD24P00123). Dean's mother Sandra said the neighbour, Gary Wilkins, called the police."
    )
    expected = ["Dean Marsh", "4 Oak Road,\nBradford BD1 2AA", "Dean", "Sandra", "Gary Wilkins"]
    assert redacted(detector, text, c) == expected
    assert redacted(Detector(), text, c) == expected  # the lists alone, without the model


@pytest.mark.parametrize(
    "text",
    [
        "Hearing at Leeds Family Court on 12 June 2025 (case FD24P00123).",
        "Following the hearing, Kayleigh was tearful and went home early.",
        "Contact has been inconsistent since the summer.",
        "Overall, the children appear settled in their placement.",
        "Records from the school show three exclusions this term.",
        "Concerns were first raised by the health visitor in 2023.",
        "Neighbours reported hearing shouting late at night.",
        "Professionals agree that the children need stability.",
        "Safeguarding concerns were shared with the police on the same day.",
        "Chronology of events is attached at Appendix B.",
        "Background to the application is set out below.",
        "Attending nursery has helped the youngest child to settle.",
        "Reportedly, the flat was cold and damp when the social worker visited.",
    ],
)
def test_ordinary_words_starting_a_sentence_are_kept(
    detector: Detector, c: Compiled, text: str
) -> None:
    assert redacted(detector, text, c) == []


@pytest.mark.parametrize(
    "text",
    [
        "The family moved from Manchester to Leeds last year.",
        "Kayleigh has relatives in Pakistan and visits them most summers.",
        "Kayleigh grew up in Yorkshire and returned there after the separation.",
        "They travelled to Scotland for a holiday in August.",
        "The paternal grandmother lives in Bradford.",
        "Kayleigh works part-time at Tesco and has been referred to Women's Aid.",
        "The children attend a group run by Barnardo's on Saturdays.",
        "Kayleigh is of Pakistani heritage and speaks Urdu at home.",
        "The messages were sent on Facebook and WhatsApp.",
    ],
)
def test_places_and_organisations_are_kept(detector: Detector, c: Compiled, text: str) -> None:
    assert redacted(detector, text, c) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Chester told me that he was frightened when his father shouted.", "Chester"),
        ("Chester said he did not want to see his father.", "Chester"),
        ("Mr Lincoln attended the meeting with his solicitor.", "Lincoln"),
        ("Florence, the maternal aunt, has offered to care for the children.", "Florence"),
        ("Grace is doing well at school, according to her teacher.", "Grace"),
        ("Will said he would come to the next meeting.", "Will"),
        ("Hope has not attended school since March.", "Hope"),
        ("Shannon missed three appointments with the health visitor.", "Shannon"),
        ("Paris said she would move in with her mother.", "Paris"),
        ("Kayleigh confided in Florence about the bruising.", "Florence"),
        ("The neighbour, Chester, called the police.", "Chester"),
        ("Kayleigh left the children with Lincoln overnight.", "Lincoln"),
        ("She spoke to Paris on the phone every evening.", "Paris"),
        ("The children stayed in Chester's flat for a week.", "Chester"),
        ("Okonkwo said the flat was cold.", "Okonkwo"),
    ],
)
def test_names_that_are_also_places_or_words_are_redacted_as_names(
    detector: Detector, c: Compiled, text: str, name: str
) -> None:
    assert name in redacted(detector, text, c)


@pytest.mark.parametrize(
    "text",
    [
        "They lived in Chester until 2019.",
        "Kayleigh moved to Paris with her new partner.",
    ],
)
def test_a_place_that_is_also_a_name_is_kept_where_it_is_plainly_a_place(
    detector: Detector, c: Compiled, text: str
) -> None:
    assert redacted(detector, text, c) == []


def test_without_the_model_doubtful_words_are_redacted(c: Compiled) -> None:
    text = "The family moved from Doncaster to Leeds. Chester said he was scared."
    found = [text[s.start : s.end] for s in Detector().detect(text, c)]
    assert found == ["Doncaster", "Chester"]
