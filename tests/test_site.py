"""The seminar pages (``make site``) follow the seminar page's structure.

The pages are written here, into pytest's temporary folder, by the writer that
``make site`` calls.
"""

import re
from pathlib import Path

import nbformat
import pytest

from conftest import EXECUTED
from tools.export import slide_type, write_site

#: The front-matter keys of the seminar page ``6_softmax_classification.md``, in its order.
SEMINAR_KEYS = [
    "layout",
    "title",
    "date",
    "collection",
    "usemathjax",
    "last_modified_date",
    "nav_order",
    "parent",
    "author",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder holding every lesson's page and figures, as ``make site`` writes them."""
    folder = tmp_path_factory.mktemp("site")
    write_site(EXECUTED, folder)
    return folder


def front_matter_keys(text: str) -> list[str]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "the page must open with --- front matter ---"
    lines = [line for line in match.group(1).splitlines() if line and not line.startswith("#")]
    return [line.split(":", 1)[0] for line in lines]


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_page_has_the_seminars_structure(lesson, site):
    page = site / f"{lesson.stem}.md"
    text = page.read_text(encoding="utf-8")
    assert front_matter_keys(text) == SEMINAR_KEYS
    body = text.split("\n---\n", 1)[1]
    assert body.startswith("# "), "the page starts with the lesson's title"
    fences = re.findall(r"^```(\w*)$", body, re.M)
    assert fences and len(fences) % 2 == 0, "code fences must open and close"
    assert set(fences[0::2]) == {"python"}, "every code block is fenced as python"
    assert re.search(r"^```\n\n+    \S", body, re.M), "outputs follow the code, indented 4 spaces"
    assert "tags=" not in body and "# Your code here." in body
    assert "raise NotImplementedError" in body, "the exercise stubs are on the page"


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_every_linked_figure_exists(lesson, site):
    page = site / f"{lesson.stem}.md"
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8"))
    missing = [link for link in links if not (site / link).is_file()]
    assert not missing, f"figures linked but not written: {missing}"


def test_seminar_outputs_appear_as_in_the_seminar(site):
    text = (site / "01_softmax.md").read_text(encoding="utf-8")
    assert "\n    tensor([0.0900, 0.2447, 0.6652])\n" in text
    assert "\n    tensor(1.)\n" in text


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_speaker_notes_stay_off_the_pages(lesson, site):
    notes = [
        cell.source.strip().splitlines()[0]
        for cell in nbformat.read(lesson, as_version=4).cells
        if slide_type(cell) == "notes" and cell.source.strip()
    ]
    page = (site / f"{lesson.stem}.md").read_text(encoding="utf-8")
    assert notes, f"{lesson.name} has no speaker notes"
    assert not [line for line in notes if line in page]
