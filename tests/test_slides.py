"""Each lesson is a talk of at most 15 slides: a deck one can present in a seminar.

The count is read from the lesson's ``.py`` source, the cells whose
``slideshow.slide_type`` is ``slide`` or ``subslide`` (the title slide
counts); the slides browser test checks that reveal.js shows that many.
"""

import re
from html import escape as html_escape

import jupytext
import nbformat
import pytest

from conftest import LESSONS, ROOT
from tools.export import count_slides, slide_type, write_slides

MAX_SLIDES = 15
#: A lesson is a talk of at most this many minutes: the sum of its speaker notes' durations.
MAX_MINUTES = 25
#: How a speaker-notes cell says how long its section takes; "under a minute" counts as 1.
DURATION = re.compile(r"\bAbout (\d+) minutes?\b|\bUnder a minute\b")


def test_lessons_are_found():
    assert LESSONS, f"no lessons matched notebooks/[0-9][0-9]_*.py under {ROOT}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_deck_has_at_most_15_slides(lesson):
    notebook = jupytext.read(lesson)
    first_type = slide_type(notebook.cells[0])
    # nbconvert opens the deck with the first cell whatever its type; marking it
    # a slide makes the metadata count equal the deck's size.
    assert first_type == "slide", (
        f"{lesson.name}: the first cell must start a slide (slide_type 'slide'), not {first_type!r}"
    )
    count = count_slides(notebook)
    assert count <= MAX_SLIDES, (
        f"{lesson.name} has {count} slides and subslides; a lesson's deck has at most "
        f"{MAX_SLIDES}: split the lesson or merge slides"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_slide_has_speaker_notes_with_its_minutes(lesson):
    """Each slide or subslide is followed, before the next one, by a notes cell (the speaker
    view of RISE and of the static slides shows it) that says how long the section takes."""
    cells = jupytext.read(lesson).cells
    starts = [i for i, cell in enumerate(cells) if slide_type(cell) in ("slide", "subslide")]
    for start, end in zip(starts, [*starts[1:], len(cells)], strict=True):
        notes = [cells[i] for i in range(start, end) if slide_type(cells[i]) == "notes"]
        first_line = cells[start].source.strip().splitlines()[0]
        assert notes, f"{lesson.name}: the slide {first_line!r} has no speaker-notes cell"
        assert any(re.search(r"\bminutes?\b", note.source) for note in notes), (
            f"{lesson.name}: the notes of {first_line!r} do not say how many minutes it takes"
        )


def minutes_of(note_source: str) -> int:
    """The minutes one speaker-notes cell announces (its first "About N minutes")."""
    match = DURATION.search(note_source)
    assert match, f"notes without 'About N minutes' or 'Under a minute': {note_source[:60]!r}"
    return int(match.group(1)) if match.group(1) else 1


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_each_lesson_takes_at_most_25_minutes(lesson):
    notes = [cell.source for cell in jupytext.read(lesson).cells if slide_type(cell) == "notes"]
    total = sum(minutes_of(note) for note in notes)
    assert total <= MAX_MINUTES, (
        f"{lesson.name}: its speaker notes add up to {total} minutes; a lesson is a talk of at "
        f"most {MAX_MINUTES}: shorten or cut sections"
    )


def test_minutes_are_read_from_the_notes():
    assert minutes_of("About 3 minutes. Read the table.") == 3
    assert minutes_of("About 1 minute. Then") == 1
    assert minutes_of("Under a minute. The imports.") == 1
    with pytest.raises(AssertionError, match="notes without"):
        minutes_of("Two minutes or so.")


#: What ``make vendor`` copies into the decks' ``vendor/`` folder (the Makefile's recipe).
VENDORED = ("vendor/reveal.js/", "vendor/require.js", "vendor/jquery.min.js", "vendor/mathjax/")


def test_the_static_slides_carry_the_notes_for_the_speaker_view(tmp_path):
    lesson = LESSONS[0].with_suffix(".ipynb")
    (deck,) = write_slides([lesson], tmp_path)
    notes = [cell for cell in jupytext.read(LESSONS[0]).cells if slide_type(cell) == "notes"]
    html = deck.read_text(encoding="utf-8")
    assert html.count('<aside class="notes">') == len(notes) > 0
    assert "plugin/notes/notes.js" in html


def test_a_deck_loads_only_the_vendored_files_and_shows_no_prompts(tmp_path):
    """The browser test opens the decks offline; this one says what they load, in a second.

    The white theme and MathJax's CommonHTML output are what the browser test's
    measurements of every slide's height were made with; MathJax's Safe extension
    keeps a lesson's TeX from running script.
    """
    (deck,) = write_slides([LESSONS[0].with_suffix(".ipynb")], tmp_path)
    html = deck.read_text(encoding="utf-8")
    # <script src=...>, <link href=...>, the modules require() loads, and any import.
    loaded = re.findall(r'<(?:script|link)\s(?:src|href)="([^"]+)"', html)
    loaded += re.findall(r"""\bimport\s.*?\sfrom\s+['"]([^'"]+)""", html)
    loaded = sorted({*loaded, *re.findall(r'^\s*"([^"]+\.js)",?$', html, re.M)})
    assert loaded and all(url.startswith(VENDORED) for url in loaded), loaded
    assert {
        "vendor/require.js",
        "vendor/jquery.min.js",
        "vendor/reveal.js/dist/reveal.js",
        "vendor/reveal.js/dist/theme/white.css",
        "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    } <= set(loaded), loaded
    assert 'slideNumber: "c/t"' in html, "each slide shows its number and the deck's size"
    cells = nbformat.read(LESSONS[0].with_suffix(".ipynb"), as_version=4).cells
    outputs = [output for cell in cells for output in cell.get("outputs", [])]
    alts = [o.metadata["image/png"]["alt"] for o in outputs if "image/png" in o.get("data", {})]
    assert alts and all(f'alt="{html_escape(alt)}"' in html for alt in alts), "a figure's alt text"
    assert "var scroll = true" in html, "a slide taller than the screen scrolls"
    prompt = r'class="jp-(?:Input|Output)Prompt[^>]*>\s*(\w+(?:&nbsp;|\s)?\[\d+\])'
    prompts = re.findall(prompt, html)
    assert not prompts, f"the deck shows no In [n]: or Out[n]: prompts: {prompts[:3]}"
