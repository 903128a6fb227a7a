"""The slides open in headless Chromium from disk, with the network cut off, and every slide fits.

The decks are written for the test into a temporary folder by the same writer
as ``make slides``, from the lessons' stored outputs, next to the reveal.js
``vendor/`` folder that ``make slides`` installs. For every lesson:

- the reveal.js deck initialises, it has as many slides as the lesson's
  ``slideshow`` metadata asks for, MathJax typesets, no request leaves the
  machine, and a screenshot of the first slide is saved under ``build/screenshots/``;
- every slide and subslide, with all its fragments shown, fits the deck's
  height (700 px in reveal.js's own coordinates, which it then scales to the
  1280x800 window): a taller slide scrolls, and the back row never sees its end.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import EXECUTED
from tools.export import count_slides, write_slides

VIEWPORT = {"width": 1280, "height": 800}
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
#: Seconds for a deck to initialise and typeset (a shared 2-core machine is slow).
LOAD_TIMEOUT_MS = 60_000

#: reveal.js is an AMD module under nbconvert's require.js, not a global;
#: require() hands back the deck's instance.
WITH_REVEAL = """(body) => new Promise((resolve) =>
    require(["vendor/reveal.js/dist/reveal.js"],
            (Reveal) => resolve(new Function("Reveal", body)(Reveal))))"""

#: Every slide that holds content (a section with no nested sections), in deck order.
MEASURE_SLIDES = """
const slides = [...document.querySelectorAll('.reveal .slides section')]
    .filter((section) => !section.querySelector('section'));
const measured = [];
for (const section of slides) {
    const {h, v} = Reveal.getIndices(section);
    Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);  // every fragment shown
    const current = Reveal.getCurrentSlide();
    const heading = current.querySelector('h1, h2, h3, h4');
    const text = (heading ? heading.textContent : current.textContent).trim().replace(/\\s+/g, ' ');
    measured.push({
        h, v,
        heading: text.replace(/¶$/, '').slice(0, 70),
        height: current.scrollHeight,
        hiddenFragments: current.querySelectorAll('.fragment:not(.visible)').length,
    });
}
Reveal.slide(0, 0, 0);
return {slides: measured, deckHeight: Reveal.getConfig().height, total: Reveal.getTotalSlides()};
"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory, vendor) -> Path:
    """The lessons' decks, written by the slides writer beside a link to the vendor folder."""
    folder = tmp_path_factory.mktemp("slides")
    try:
        (folder / "vendor").symlink_to(vendor, target_is_directory=True)
    except OSError:  # Windows without the right to make symbolic links
        shutil.copytree(vendor, folder / "vendor")
    write_slides(EXECUTED, folder)
    return folder


@pytest.fixture(scope="module")
def deck_page(browser, decks, request):
    """Open ``request.param``'s deck offline at 1280x800, once for the tests of that deck;
    yield (page, lesson name, notebook)."""
    lesson: Path = request.param
    context = browser.new_context(offline=True, viewport=VIEWPORT)
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    notebook = nbformat.read(lesson, as_version=4)
    try:
        page.goto((decks / f"{lesson.stem}.slides.html").as_uri())
        page.wait_for_selector(".reveal.ready", timeout=LOAD_TIMEOUT_MS)
        has_math = any("$" in c.source for c in notebook.cells if c.cell_type == "markdown")
        page.wait_for_function(
            "(hasMath) => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && (!hasMath || document.querySelector('.MathJax_CHTML') !== null)",
            arg=has_math,
            timeout=LOAD_TIMEOUT_MS,
        )
        page.wait_for_function(
            "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)",
            timeout=LOAD_TIMEOUT_MS,
        )
        yield page, lesson.stem, notebook
    finally:
        context.close()
    left_machine = [url for url in requests if not url.startswith(LOCAL_SCHEMES)]
    assert not left_machine, f"requests that left the machine: {left_machine}"
    assert not errors, f"JavaScript errors: {errors}"


@pytest.mark.parametrize("deck_page", EXECUTED, ids=[p.stem for p in EXECUTED], indirect=True)
def test_slides_open_offline(deck_page, screenshots):
    page, stem, notebook = deck_page
    reveal_state = page.evaluate(
        WITH_REVEAL,
        "return {ready: Reveal.isReady(), total: Reveal.getTotalSlides(),"
        " index: Reveal.getIndices().h}",
    )
    assert reveal_state == {"ready": True, "total": count_slides(notebook), "index": 0}
    screenshot = screenshots / f"{stem}.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


@pytest.mark.parametrize("deck_page", EXECUTED, ids=[p.stem for p in EXECUTED], indirect=True)
def test_every_slide_fits_the_deck(deck_page, screenshots):
    page, stem, notebook = deck_page
    deck = page.evaluate(WITH_REVEAL, MEASURE_SLIDES)
    assert len(deck["slides"]) == deck["total"] == count_slides(notebook), deck
    unshown = [s for s in deck["slides"] if s["hiddenFragments"]]
    assert not unshown, f"{stem}: fragments still hidden after showing them all: {unshown}"
    too_tall = [s for s in deck["slides"] if s["height"] > deck["deckHeight"]]
    for s in too_tall:
        page.evaluate(WITH_REVEAL, f"Reveal.slide({s['h']}, {s['v']}, Number.MAX_SAFE_INTEGER)")
        page.screenshot(path=str(screenshots / f"{stem}-too-tall-{s['h'] + 1}.{s['v'] + 1}.png"))
    assert not too_tall, (
        f"{stem}: slides taller than the deck's {deck['deckHeight']} px with every fragment shown "
        "(they scroll); shorten them or move content to a subslide:\n"
        + "\n".join(
            f"  {stem} slide {s['h'] + 1}.{s['v'] + 1} {s['heading']!r}: {s['height']} px"
            for s in too_tall
        )
    )
