"""The seminar pages (``make site``) follow the seminar page's structure.

The pages are written here, into pytest's temporary folder, by the writer that
``make site`` calls.
"""

import re
from pathlib import Path

import pytest

from tools.export import write_site

ROOT = Path(__file__).resolve().parent.parent
SEMINAR_PAGE = ROOT.parent / "shared" / "seed" / "6_softmax_classification.md"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
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
    write_site(LESSONS, folder)
    return folder


def front_matter_keys(text: str) -> list[str]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "the page must open with --- front matter ---"
    lines = [line for line in match.group(1).splitlines() if line and not line.startswith("#")]
    return [line.split(":", 1)[0] for line in lines]


def test_seminar_keys_are_the_seminar_pages():
    if not SEMINAR_PAGE.exists():
        pytest.skip(f"the seminar page is not beside the project ({SEMINAR_PAGE})")
    assert front_matter_keys(SEMINAR_PAGE.read_text(encoding="utf-8")) == SEMINAR_KEYS


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
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


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_linked_figure_exists(lesson, site):
    page = site / f"{lesson.stem}.md"
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8"))
    missing = [link for link in links if not (site / link).is_file()]
    assert not missing, f"figures linked but not written: {missing}"


def test_seminar_outputs_appear_as_in_the_seminar(site):
    text = (site / "01_softmax.md").read_text(encoding="utf-8")
    assert "\n    tensor([0.0900, 0.2447, 0.6652])\n" in text
    assert "\n    tensor(1.)\n" in text
