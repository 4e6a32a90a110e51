"""The built-in modules' Markdown format: every shipped module loads and is fit to take, and a
file that breaks the format is refused with every problem named, by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.training import module_files
from steward.training.module_files import ModuleInvalid
from steward.training.policy import Topic

GOOD = """\
---
code: TEST-MODULE
title: A test module
topic: cyber_security
delivery: e_learning
version: 2
requires_redo: true
pass_mark: 80
duration_minutes: 10
validity_months: 12
summary: For the tests.
changes: The quiz asks about phishing now.
---

## Phishing

Report it; do not click. <script>alert(1)</script>

## Passwords

Three random words.

## Quiz

### What do you do with a phishing email?
- [ ] Click the link
- [x] Report it

Read again: Phishing

### Which password is best?
- [x] Three random words
- [ ] Password1
- [ ] Your name
"""


def _load(text: str, name: str = "test-module.md") -> module_files.Module:
    return module_files.load(name, text.encode())


def _problems(text: str, name: str = "test-module.md") -> str:
    with pytest.raises(ModuleInvalid) as refused:
        _load(text, name)
    return "\n".join(refused.value.problems)


REQUIRED_MODULES = {
    "data-protection-induction": ("DP-INDUCTION", Topic.DATA_PROTECTION),
    "cyber-security": ("CYBER-SECURITY", Topic.CYBER_SECURITY),
    "remote-working": ("REMOTE-WORKING", Topic.REMOTE_WORKING),
    "records-management": ("RECORDS-MGMT", Topic.RECORDS_MANAGEMENT),
    "sar-handling": ("SAR-HANDLING", Topic.SAR_HANDLING),
}


def test_every_shipped_module_loads_and_is_fit_to_take() -> None:
    shipped = module_files.shipped()
    found = {slug: (m.code, m.topic) for slug, m in shipped.items()}
    assert found.items() >= REQUIRED_MODULES.items()
    assert len({m.code for m in shipped.values()}) == len(shipped)
    for module in shipped.values():
        assert 6 <= len(module.questions) <= 10, module.slug
        assert module.pass_mark == 80, module.slug
        assert module.version >= 1
        assert all(sum(o.correct for o in q.options) == 1 for q in module.questions)
        assert module.content_html.count("<h2") >= 3


def test_a_module_reads_its_front_matter_content_and_quiz() -> None:
    module = _load(GOOD)
    assert (module.slug, module.code, module.topic, module.version) == (
        "test-module",
        "TEST-MODULE",
        Topic.CYBER_SECURITY,
        2,
    )
    assert module.requires_redo and module.changes.startswith("The quiz asks")
    assert [q.id for q in module.questions] == ["q1", "q2"]
    assert [q.correct_index for q in module.questions] == [1, 0]
    first = module.questions[0]
    assert first.read_again is not None and first.read_again.title == "Phishing"
    assert f'id="{first.read_again.anchor}"' in module.content_html
    # The quiz is not part of the content, and raw HTML is shown as text, never as markup.
    assert "Quiz" not in module.content_html and "Click the link" not in module.content_html
    assert "<script>" not in module.content_html
    assert "&lt;script&gt;" in module.content_html
    assert 'class="govuk-body"' in module.content_html


def test_a_question_with_two_correct_answers_is_refused() -> None:
    two = GOOD.replace("- [ ] Password1", "- [x] Password1")
    problems = _problems(two)
    assert "question 2 must have exactly one correct answer marked [x] (it has 2)" in problems
    assert "line 31:" in problems  # the question's own line in the file


def test_a_question_with_no_correct_answer_is_refused() -> None:
    assert "(it has 0)" in _problems(GOOD.replace("- [x] Report it", "- [ ] Report it"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("---\ncode", "code"), "must start with front matter"),
        (("code: TEST-MODULE", "code: test module"), "code must be"),
        (("delivery: e_learning", "delivery: classroom"), "delivery must be e_learning"),
        (("topic: cyber_security", "topic: astrology"), "topic must be one of"),
        (("pass_mark: 80", "pass_mark: 180"), "pass_mark must be a whole number from 1 to 100"),
        (("version: 2", "version: two"), "version must be a whole number"),
        (("requires_redo: true", "requires_redo: maybe"), "requires_redo must be true or false"),
        (("summary: For the tests.", "colour: blue"), "unknown fields: colour"),
        (("title: A test module\n", ""), "missing: title"),
        (("code: TEST-MODULE", "code: !!python/object/apply:os.system ['true']"), "not valid YAML"),
        (("## Phishing", "# Phishing"), "use ## for headings"),
        (("Read again: Phishing", "Read again: Nowhere"), "'Nowhere', which is not a section"),
        (("## Quiz", "## Questions"), "no '## Quiz' section"),
        (("- [ ] Click the link\n", ""), "must offer 2 to 6 options"),
        (("- [ ] Click the link", "- Click the link"), "must start [ ] (wrong) or [x] (right)"),
        (("- [ ] Your name", "- [ ] Password1"), "offers the same answer twice"),
        (("Three random words.", "![a picture](https://example.org/x.png)"), "cannot show images"),
        (("## Passwords", "## Phishing"), "two sections are called 'Phishing'"),
    ],
)
def test_a_broken_module_is_refused_saying_what_to_put_right(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    assert expected in _problems(GOOD.replace(old, new, 1))


def test_a_file_name_that_is_not_a_slug_is_refused() -> None:
    assert "the file name must be" in _problems(GOOD, "../Test Module.md")
    assert "the file name must be" in _problems(GOOD, "test-module.txt")


def test_text_that_is_not_utf8_or_too_large_is_refused() -> None:
    with pytest.raises(ModuleInvalid, match="not UTF-8"):
        module_files.load("test-module.md", GOOD.encode("utf-16"))
    with pytest.raises(ModuleInvalid, match="larger than"):
        module_files.load("test-module.md", b"x" * (module_files.MAX_FILE_BYTES + 1))


def test_one_bad_file_in_a_folder_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "test-module.md").write_text(GOOD)
    (folder / "broken.md").write_text(GOOD.replace("- [ ] Password1", "- [x] Password1"))
    (folder / "notes.txt").write_text("not a module")
    modules, refused = module_files.load_directory(folder)
    assert [m.slug for m in modules] == ["test-module"]
    assert [r.name for r in refused] == ["broken.md"]
