"""The lab test's harness: JupyterLab started as ``make lab`` starts it, and one browser page.

``lab`` starts the server on the student notebooks (``build/student/``, what
``make lab`` copies into ``work/``) with a token, in temporary Jupyter
folders, behind the tests' network guard. Its kernel is not ``.venv``'s but a
Colab-like environment (``colab_env.py``: another torch than the pin, the
helpers installed by the release's Colab cell), so that every lesson the lab
runs also runs on another torch, as on Colab; the pinned torch runs every
solved lesson in nbval and the first student lesson in the release and hub
tests. (On Windows, which has no ``make colab-env``, the kernel is ``.venv``'s.)
``lab_page`` loads JupyterLab in headless Chromium, records every request and
refuses every write.
``open_and_run_all`` opens a notebook from the file browser and starts Run
All Cells; ``check_nothing_leaked`` asserts that nothing left the machine and
nothing under ``build/student/`` changed. The checks themselves are in
``test_lab_browser.py``.
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

import pytest
from colab_env import URL, ColabKernel, install_as_on_colab

from conftest import EXECUTED, ROOT
from tools.export import STUDENT_DIR as STUDENT
from tools.release import write_release

#: Where ``make lab`` opens JupyterLab: the students' notebooks.
#: The student notebook of each lesson, in lesson order.
STUDENT_NOTEBOOKS = [STUDENT / twin.name for twin in EXECUTED]
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
        text: [...cell.querySelectorAll('.jp-OutputArea-output')]
            .map((o) => o.textContent).join('\\n'),
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
    colab: ColabKernel | None
    requests: list[str] = field(default_factory=list)
    blocked_writes: list[str] = field(default_factory=list)

    def api(self, path: str) -> object:
        """The server's JSON answer to GET ``api/<path>``, with the token."""
        request = urllib.request.Request(f"{self.url}api/{path}")
        request.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

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
    sessions = lab.api("sessions")
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
    colab = None
    if sys.platform != "win32":
        release = write_release(EXECUTED, home / "release" / "softmax-exercises", URL)
        colab = install_as_on_colab(release, URL, home / "colab", os.environ.copy())
        # JUPYTER_PATH comes first, before the environment's own python3 kernel.
        kernel = home / "share" / "kernels" / "python3" / "kernel.json"
        kernel.parent.mkdir(parents=True)
        kernel.write_text(json.dumps({
            "argv": [str(colab.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python",
        }))  # fmt: skip
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
        "JUPYTER_PATH": str(home / "share"),
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
        f"--ServerApp.root_dir={STUDENT}",
        "--ServerApp.ip=127.0.0.1",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # Checkpoints (JupyterLab makes one when it opens a file) go to the
        # temporary folder, not build/student/.ipynb_checkpoints.
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
    ]  # fmt: skip
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")
    sources = snapshot(STUDENT)
    log = home / "server.log"
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}/", token, log, network_log, sources, colab)
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
        # Saving, renaming, deleting or creating a file under build/student/; a
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
    blocked = lab.blocked_writes
    assert not blocked, f"the lab tried to write under build/student/: {blocked}"
    attempts = lab.network_log.read_text() if lab.network_log.exists() else ""
    assert not attempts, f"the server or a kernel tried to reach the network:\n{attempts}"
    changed = [name for name, data in snapshot(STUDENT).items() if lab.sources.get(name) != data]
    assert not changed, f"the lab changed or created files under build/student/: {changed}"


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


