"""What the tests share: the repository's paths, ``tags``, a scratch folder, the browser.

``make test`` runs them with ``pytest -n 2 --dist loadfile``: each file's tests run on
one worker, which builds the file's module-scoped fixtures (a grading batch, a
JupyterLab server, an nbval run in a fixed folder) once.

A student's machine without Chromium SKIPS the browser tests and says how to
install it; CI sets ``SOFTMAX_COURSE_REQUIRE_BROWSER=1`` (``.ci/run``), and
there a missing browser, Playwright or reveal.js vendor folder FAILS the tests
with the same reason, so a green run can never hide a skipped browser test.

``SOFTMAX_COURSE_CHROMIUM`` names another Chrome or Chromium executable (e.g.
Google Chrome on macOS); by default Debian's ``/usr/bin/chromium``, or the
first ``chromium`` on ``PATH``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import softmax_course

# Defined once, in the tools; the tests import them from here.
from tools import EXECUTED as EXECUTED
from tools import LESSONS as LESSONS
from tools import NOTEBOOKS as NOTEBOOKS
from tools import ROOT as ROOT
from tools.execute import ANSI_ESCAPE as ANSI_ESCAPE

PACKAGE = Path(softmax_course.__file__).resolve().parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Write the student notebooks (``build/student/``, generated, not committed) once, before
    any test reads them; under xdist the controller writes them before its workers start."""
    if not hasattr(session.config, "workerinput"):
        from tools.export import write_student_versions

        write_student_versions(EXECUTED)


#: The test files that take minutes, in the order they start: ``make test`` hands whole files
#: to its two workers in collection order (``--dist loadfile --no-loadscope-reorder``), so
#: the longest start first and the many short ones fill in after, and both workers finish
#: together. (xdist's default order, most tests first, started these last.)
LONGEST_FIRST = (
    "test_class.py",
    "test_changed_numbers.py",
    "test_lab_browser.py",
    "test_hub.py",
    "test_release.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files of ``LONGEST_FIRST`` first, in its order; the others keep theirs.

    With ``SOFTMAX_COURSE_COLLECTED=<file>`` in the environment, first write there how many
    items each file gave, before ``-k`` deselects any (``test_standalone.py`` reads it); the
    variable is then removed, so that a pytest this one starts does not write there too."""
    report = os.environ.pop("SOFTMAX_COURSE_COLLECTED", None)
    if report:
        counts = Counter(item.nodeid.split("::")[0] for item in items)
        Path(report).write_text(json.dumps(counts), encoding="utf-8")
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def scratch(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder of this test's own inside the repository (build/scratch/<test>), so that
    the root conftest.py applies to the notebooks a test writes and runs there."""
    folder = ROOT / "build" / "scratch" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def tags(cell: dict) -> list[str]:
    """The tags of a notebook cell (none when its metadata has no ``tags``)."""
    return list(cell.get("metadata", {}).get("tags", []))

SCREENSHOTS = ROOT / "build" / "screenshots"
#: reveal.js, require.js, jQuery and MathJax, copied here by ``make vendor`` (and ``make slides``).
VENDOR = ROOT / "build" / "slides" / "vendor"

REQUIRE_BROWSER = os.environ.get("SOFTMAX_COURSE_REQUIRE_BROWSER") == "1"
CHROMIUM_ENV = "SOFTMAX_COURSE_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
INSTALL = (
    "install it with `sudo apt-get install -y chromium` (or `make browser` as root), "
    f"or point {CHROMIUM_ENV} at another Chrome/Chromium executable"
)

#: Headless Chromium as the tests drive it: no sandbox as root, no GPU, and none of
#: Chromium's own background traffic.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    # Belt and braces on top of the tests' own blocking: an HTTP(S) request to
    # another host would go to a proxy that does not exist (loopback bypasses
    # proxies), and no host name but the loopback address resolves.
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def browser_unavailable(reason: str) -> None:
    """Skip on a student's machine; fail where the browser tests are required (CI)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"SOFTMAX_COURSE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_executable() -> Path:
    """The Chrome/Chromium to drive: ``$SOFTMAX_COURSE_CHROMIUM``, /usr/bin/chromium, or PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            browser_unavailable(f"{CHROMIUM_ENV}={chosen} is not a file; {INSTALL}")
        return path
    if DEFAULT_CHROMIUM.is_file():
        return DEFAULT_CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        browser_unavailable(f"Chromium was not found at {DEFAULT_CHROMIUM} or on PATH; {INSTALL}")
    return Path(found)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium per test process, driven by Playwright (no browser download)."""
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        browser_unavailable(f"Playwright is not installed ({error}); run `make setup`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def vendor() -> Path:
    """The folder of scripts the static slides load (``make vendor`` installs it from npm)."""
    if not (VENDOR / "reveal.js" / "dist" / "reveal.js").is_file():
        browser_unavailable(f"{VENDOR.relative_to(ROOT)} is missing; run `make vendor` (needs npm)")
    return VENDOR


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
