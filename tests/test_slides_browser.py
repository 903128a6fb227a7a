"""The slides open in headless Chromium from disk, with the network cut off.

For every ``build/slides/NN_topic.slides.html`` (``make slides``): the reveal.js
deck initialises, it has as many slides as the lesson's ``slideshow`` metadata
asks for, MathJax typesets, no request leaves the machine, and a screenshot of
the first slide is saved under ``build/screenshots/``.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

from tools.export import count_slides

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "build" / "slides"
SCREENSHOTS = ROOT / "build" / "screenshots"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL = "sudo apt-get install -y chromium (or `make browser` as root)"

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    # Belt and braces on top of the offline context: any HTTP(S) request would
    # go to a proxy that does not exist, and no host name resolves.
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(f"Chromium not found; install it with: {INSTALL}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_slides_open_offline(browser, lesson):
    slides = SLIDES / f"{lesson.stem}.slides.html"
    assert slides.exists(), f"{slides.relative_to(ROOT)} is missing: run `make slides`"
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(slides.as_uri())
        # reveal.js is an AMD module under nbconvert's require.js, not a global:
        # it marks the deck `.reveal.ready` once initialised, and require() hands
        # back the same instance to query.
        page.wait_for_selector(".reveal.ready", timeout=20_000)
        reveal_state = page.evaluate(
            """() => new Promise((resolve) => require(["vendor/reveal.js/dist/reveal.js"],
                (Reveal) => resolve({ready: Reveal.isReady(), total: Reveal.getTotalSlides(),
                                     index: Reveal.getIndices().h})))"""
        )
        notebook = nbformat.read(lesson, as_version=4)
        has_math = any("$" in c.source for c in notebook.cells if c.cell_type == "markdown")
        page.wait_for_function(
            "(hasMath) => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && (!hasMath || document.querySelector('.MathJax_CHTML') !== null)",
            arg=has_math,
            timeout=20_000,
        )
        expected = count_slides(notebook)
        assert reveal_state == {"ready": True, "total": expected, "index": 0}
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshot = SCREENSHOTS / f"{lesson.stem}.png"
        page.screenshot(path=str(screenshot))
        assert screenshot.stat().st_size > 10_000
    finally:
        context.close()
    left_machine = [url for url in requests if not url.startswith(LOCAL_SCHEMES)]
    assert not left_machine, f"requests that left the machine: {left_machine}"
    assert not errors, f"JavaScript errors: {errors}"
