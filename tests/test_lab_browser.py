"""The lab, as a student uses it: JupyterLab in headless Chromium, every lesson run from the menu.

The test starts JupyterLab the way ``make lab`` does (``notebooks/`` as its
root, on 127.0.0.1, with a token), checks that the server refuses its API
without the token, then in one browser page double-clicks each lesson's
``.py`` in the file browser and starts Run All Cells (all lessons first, so
that their kernels run side by side as nbval's workers do), then asserts:

- it opened as a notebook (jupytext's viewer is the default for ``.py``), not
  in the text editor;
- "Run All Cells" from the Run menu ran every code cell (each has its
  execution count) and left the kernel idle;
- no cell shows an error or a traceback, except cells tagged ``raises-exception``;
- every figure of the stored twin is rendered (an ``img`` with pixels).

Then it opens one lesson as the RISE slideshow and asserts that reveal.js shows
the first slide. Both RISE commands of the notebook save it first, so the test
opens the page they open (``/rise/<lesson>``) directly: the test saves nothing.

Nothing leaves the machine: the browser records every request and may reach
only the server, Chromium's flags send anything else nowhere, and the server
and its kernels run behind the tests' network guard. Saving is blocked and
recorded (autosave is off in the test's user settings), and every file under
``notebooks/`` must be byte-identical afterwards. A screenshot per lesson goes
to ``build/screenshots/lab-NN_topic.png``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
NETWORK_GUARD = ROOT / "tests" / "offline"
VIEWPORT = {"width": 1280, "height": 800}
#: Generous limits for a 2-core machine shared with other work, in seconds.
SERVER_START_TIMEOUT = 180
PAGE_TIMEOUT = 180
RUN_ALL_TIMEOUT = 600
#: How often the page checks a condition the test waits for, in ms. Playwright's
#: default re-checks on every animation frame (about 60 times a second), which
#: takes the CPU the lessons' kernels need on a 2-core machine.
POLL_MS = 250

#: Test-only user settings: never save behind the test's back.
USER_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

#: The open widget whose tab is labelled with ``name``, and what it shows.
FIND_WIDGET = """(name) => {
    const tab = [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
        .find((t) => t.querySelector('.lm-TabBar-tabLabel')?.textContent === name);
    const widget = tab && document.getElementById(tab.dataset.id);
    if (!widget) return null;
    return {id: widget.id, notebook: widget.classList.contains('jp-NotebookPanel'),
            editor: widget.querySelector('.jp-FileEditor') !== null};
}"""

#: Run All has finished: no cell is queued or running, the first one has run,
#: and the kernel is idle.
RUN_ALL_DONE = """(id) => {
    const panel = document.getElementById(id);
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map((p) => p.textContent.trim());
    return prompts.length > 0 && !prompts.some((p) => p.includes('*'))
        && /\\d/.test(prompts[0])
        && panel.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null;
}"""

#: What the notebook shows, cell by cell.
READ_NOTEBOOK = """(id) => {
    const panel = document.getElementById(id);
    const cells = [...panel.querySelectorAll('.jp-CodeCell')].map((cell) => ({
        prompt: cell.querySelector('.jp-InputPrompt').textContent.trim(),
        errors: [...cell.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map((e) => e.textContent).filter((t) => t.includes('Traceback'))
            .map((t) => t.trim().split('\\n').slice(-1)[0]),
        images: [...cell.querySelectorAll('.jp-OutputArea-output img')]
            .map((img) => img.complete && img.naturalWidth > 0),
    }));
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return {cells, kernel: indicator ? indicator.dataset.status : null};
}"""


@dataclass
class Lab:
    """A running JupyterLab server and the traffic its browser page produced."""

    url: str
    token: str
    log: Path
    network_log: Path
    sources: dict[str, bytes]
    requests: list[str] = field(default_factory=list)
    blocked_writes: list[str] = field(default_factory=list)

    def server_log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (name -> bytes), to prove the lab wrote nothing there."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def kernel_state(lab: Lab, name: str) -> str | None:
    """The execution state of the kernel the server runs for notebook ``name``, if any."""
    request = urllib.request.Request(lab.url + "api/sessions")
    request.add_header("Authorization", f"token {lab.token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        sessions = json.load(response)
    states = [s["kernel"]["execution_state"] for s in sessions if s.get("path") == name]
    return states[0] if states else None


def http_status(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab as ``make lab`` starts it; the user's Jupyter folders are temporary ones."""
    home = tmp_path_factory.mktemp("lab")
    for name, settings in USER_SETTINGS.items():
        target = home / "config" / "lab" / "user-settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings), encoding="utf-8")
    network_log = home / "network-attempts.log"
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # The user's own Jupyter settings, kernels and workspaces stay out of the test.
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        # The server and its kernels run behind the network guard of `make test`.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(NETWORK_GUARD), os.environ.get("PYTHONPATH")])
        ),
        "SOFTMAX_COURSE_NETWORK_LOG": str(network_log),
    }
    token = secrets.token_hex(24)
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={NOTEBOOKS}",
        "--ServerApp.ip=127.0.0.1",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # Checkpoints (JupyterLab makes one when it opens a file) go to the
        # temporary folder, not notebooks/.ipynb_checkpoints.
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
    ]  # fmt: skip
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")
    sources = snapshot(NOTEBOOKS)
    log = home / "server.log"
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}/", token, log, network_log, sources)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while http_status_or_none(lab.url + "api/status", token) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"JupyterLab did not answer on {lab.url} within {SERVER_START_TIMEOUT} s "
                    f"(exit code {server.poll()}); its log ends with:\n{lab.server_log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def http_status_or_none(url: str, token: str) -> int | None:
    try:
        return http_status(url, token)
    except OSError:
        return None


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """One browser page with JupyterLab loaded; lesson tests open their lesson in it."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT * 1000)
    server = urlsplit(lab.url).netloc
    context.on("request", lambda request: lab.requests.append(request.url))

    def refuse_writes(route, request):
        # Saving, renaming, deleting or creating a file under notebooks/; a
        # checkpoint (JupyterLab makes one on opening) goes to a temporary folder.
        if request.method != "GET" and not request.url.split("?")[0].endswith("/checkpoints"):
            lab.blocked_writes.append(f"{request.method} {request.url}")
            route.abort()
        else:
            route.continue_()

    context.route(f"http://{server}/api/contents/**", refuse_writes)
    page = context.new_page()
    page.goto(f"{lab.url}lab?token={lab.token}")
    try:  # the file browser lists the lessons
        page.locator(".jp-DirListing-itemText").first.wait_for()
        # The launcher lists the kernels once JupyterLab knows them; a notebook
        # opened before that asks which kernel to start.
        page.locator('.jp-LauncherCard[data-category="Notebook"]').first.wait_for()
    except Exception as error:
        pytest.fail(
            f"JupyterLab's file browser did not appear within {PAGE_TIMEOUT} s: {error}",
            pytrace=False,
        )
    yield page
    context.close()


def check_nothing_leaked(lab: Lab) -> None:
    server = urlsplit(lab.url).netloc
    left_machine = [url for url in lab.requests if urlsplit(url).netloc != server]
    assert not left_machine, f"the browser tried to leave the machine: {left_machine}"
    assert not lab.blocked_writes, f"the lab tried to write under notebooks/: {lab.blocked_writes}"
    attempts = lab.network_log.read_text() if lab.network_log.exists() else ""
    assert not attempts, f"the server or a kernel tried to reach the network:\n{attempts}"
    changed = [name for name, data in snapshot(NOTEBOOKS).items() if lab.sources.get(name) != data]
    assert not changed, f"the lab changed or created files under notebooks/: {changed}"


def open_and_run_all(lab: Lab, page, lesson: Path, screenshots: Path) -> dict | str:
    """Double-click ``lesson`` in the file browser and start Run All Cells from the Run menu.

    Returns what opened (see ``FIND_WIDGET``), or why it could not run.
    """
    page.locator(f'.jp-DirListing-itemText >> text="{lesson.name}"').dblclick()
    page.wait_for_function(
        f"() => ({FIND_WIDGET})({json.dumps(lesson.name)}) !== null", polling=POLL_MS
    )
    widget = page.evaluate(FIND_WIDGET, lesson.name)
    if not widget["notebook"]:
        return widget
    # Run All before the kernel is up would ask which kernel to start.
    deadline = time.monotonic() + PAGE_TIMEOUT
    while kernel_state(lab, lesson.name) != "idle":
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            page.screenshot(path=str(screenshots / f"lab-{lesson.stem}.png"))
            return f"{lesson.name}: JupyterLab asks: {dialog.first.inner_text()!r}"
        if time.monotonic() > deadline:
            return (
                f"{lesson.name}: no idle kernel {PAGE_TIMEOUT} s after opening it; server log:\n"
                f"{lab.server_log_tail()}"
            )
        time.sleep(0.5)
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    return widget


def test_server_refuses_the_api_without_the_token(lab):
    assert http_status(lab.url + "api/contents") in (401, 403)
    assert http_status(lab.url + "api/contents", "not-the-token") in (401, 403)
    assert http_status(lab.url + "api/contents", lab.token) == 200


def test_every_lesson_runs_in_the_lab(lab, lab_page, screenshots):
    # One test for all lessons: they are all opened and started first, so their
    # kernels run side by side (as nbval's two workers do), then checked in turn.
    started = {
        lesson.name: open_and_run_all(lab, lab_page, lesson, screenshots) for lesson in LESSONS
    }
    failures = []
    for lesson in LESSONS:
        try:
            check_lesson(lab, lab_page, started[lesson.name], screenshots, lesson)
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)


def check_lesson(lab: Lab, page, started: dict | str, screenshots: Path, lesson: Path) -> None:
    """Wait for ``lesson``'s Run All to finish, then check what the lab shows."""
    source = jupytext.read(lesson)
    code_cells = [cell for cell in source.cells if cell.cell_type == "code"]
    may_raise = {
        index
        for index, cell in enumerate(code_cells)
        if "raises-exception" in cell.metadata.get("tags", [])
    }
    twin = nbformat.read(lesson.with_suffix(".ipynb"), as_version=4)
    figures = [
        sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        for cell in twin.cells
        if cell.cell_type == "code"
    ]

    if isinstance(started, str):
        pytest.fail(started, pytrace=False)
    widget = started
    assert widget["notebook"] and not widget["editor"], (
        f"{lesson.name} opened in the text editor, not as a notebook: JupyterLab's default "
        "viewer for Python files must be jupytext's notebook (`make setup` configures it)"
    )
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text=lesson.name).click()
    check_began = time.perf_counter()
    try:
        page.wait_for_function(
            RUN_ALL_DONE, arg=widget["id"], polling=POLL_MS, timeout=RUN_ALL_TIMEOUT * 1000
        )
    except Exception:
        page.screenshot(path=str(screenshots / f"lab-{lesson.stem}.png"))
        shown = page.evaluate(READ_NOTEBOOK, widget["id"])
        pytest.fail(
            f"{lesson.name}: Run All Cells did not finish within {RUN_ALL_TIMEOUT} s; prompts "
            f"{[cell['prompt'] for cell in shown['cells']]}, kernel {shown['kernel']}; "
            f"server log:\n{lab.server_log_tail()}",
            pytrace=False,
        )
    waited = time.perf_counter() - check_began
    # Solution cells open collapsed; show every cell's code to read its prompt.
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="View").first.click()
    page.locator('.lm-Menu-item[data-command="notebook:show-all-cell-code"]').click()
    shown = page.evaluate(READ_NOTEBOOK, widget["id"])
    page.screenshot(path=str(screenshots / f"lab-{lesson.stem}.png"))

    cells = shown["cells"]
    assert len(cells) == len(code_cells), (
        f"{lesson.name}: the lab shows {len(cells)} code cells, the source has {len(code_cells)}"
    )
    not_run = [
        f"cell {index} ({code_cells[index].source.splitlines()[0]!r}): {cell['prompt']}"
        for index, cell in enumerate(cells)
        if not cell["prompt"].strip("[]:").isdigit()
    ]
    assert not not_run, f"{lesson.name}: cells that did not run after Run All Cells: {not_run}"
    assert shown["kernel"] == "idle", f"{lesson.name}: kernel is {shown['kernel']} after the run"
    errors = [
        f"cell {index} ({code_cells[index].source.splitlines()[0]!r}): {cell['errors']}"
        for index, cell in enumerate(cells)
        if cell["errors"] and index not in may_raise
    ]
    assert not errors, f"{lesson.name}: cells that show an error: {errors}"
    rendered = [sum(cell["images"]) for cell in cells]
    assert rendered == figures, (
        f"{lesson.name}: figures per code cell rendered in the lab {rendered}, "
        f"stored in {lesson.with_suffix('.ipynb').name} {figures}"
    )
    print(f"{lesson.name}: Run All finished {waited:.1f} s after its check began")
    check_nothing_leaked(lab)


def test_a_lesson_opens_as_the_rise_slideshow(lab, lab_page, screenshots):
    lesson = LESSONS[0]
    title = jupytext.read(lesson).cells[0].source.splitlines()[0].lstrip("# ").strip()
    page = lab_page.context.new_page()
    try:
        page.goto(f"{lab.url}rise/{lesson.name}?activeCellIndex=0")
        page.wait_for_selector(".reveal.ready .slides > section.present")
        first = page.evaluate(
            """() => {
                const slides = [...document.querySelectorAll('.reveal .slides > section')];
                const present = document.querySelector('.reveal .slides > section.present');
                return {index: slides.indexOf(present), count: slides.length,
                        heading: present.querySelector('h1')?.textContent ?? ''};
            }"""
        )
        page.screenshot(path=str(screenshots / f"rise-{lesson.stem}.png"))
    finally:
        page.close()
    assert first["index"] == 0 and first["count"] > 1, first
    assert first["heading"].replace("¶", "").strip() == title, (first["heading"], title)
    check_nothing_leaked(lab)
