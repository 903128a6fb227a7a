"""A class on a real JupyterHub, on this machine: log in, pull, run, save, update, pull, grade.

The hub is JupyterHub (pinned in pyproject.toml) with configurable-http-proxy
from npm (``make hub-proxy``), its simple local spawner and the dummy
authenticator (one shared password: test-only), all on 127.0.0.1. The release
(``tools.release``, all lessons but the last) is a git repository in a temporary
folder, and the users' servers have nbgitpuller, as a class's hub would; their
kernel is an environment with the release's helper package installed (not
this repository's).

Five students log in at once (a class starts together: one thread each), open
the assignment's nbgitpuller link (which clones the release into their home),
run every cell of the assigned lesson through the Jupyter server's API (a
websocket to the kernel, as JupyterLab does), and save their notebook with an
answer to its first exercise: right, wrong, or not written. The course is then
released again with one more lesson, and each student opens the link again:
their edits are intact and the new lesson is in their home. Finally the
instructor gathers each student's notebook of the assignment into
``SUBMISSIONS/<student>/`` and grades them with ``tools.grade.grade_folder``
(what ``make grade`` runs); the grade table gives each student the points of
their answer.

Everything this test starts is stopped by it: the users' servers through the
hub's API, the hub (which stops its proxy) by its process id, and the test
then finds no process left whose command line names its folder.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import jupytext
import nbformat
import pytest
import requests
import websocket
from colab_env import URL

from conftest import EXECUTED, LESSONS, ROOT, tags
from tools.export import checker_calls
from tools.grade import grade_folder
from tools.release import write_release

PROXY = ROOT / "build" / "hub-npm" / "node_modules" / ".bin" / "configurable-http-proxy"
FOLDER = "softmax-exercises"  # where nbgitpuller clones the release in each home
ASSIGNED = EXECUTED[0]  # the lesson the class works on
FUNCTION = "my_softmax"  # its first graded exercise
WRONG = "def my_softmax(z):\n    return torch.exp(z)\n"
#: Each simulated student and what they write for FUNCTION (None: they leave the stub).
STUDENTS = {"ada": "solution", "grace": "solution", "alan": WRONG, "edsger": "solution",
            "barbara": None}  # fmt: skip
#: The checker that FUNCTION's check cell calls: the exercise's name in the grade table.
CHECKER = next(
    call.func.id
    for cell in jupytext.read(LESSONS[0]).cells if "check" in tags(cell)
    for call in checker_calls(cell.source)
    if call.args and getattr(call.args[0], "id", None) == FUNCTION
)  # fmt: skip
PASSWORD = uuid.uuid4().hex
API_TOKEN = uuid.uuid4().hex
STARTUP_SECONDS = 180

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="JupyterHub does not run on Windows (its spawner needs POSIX)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def solution(function: str) -> str:
    """The lesson's own solution of ``function`` (its cell tagged solution)."""
    for cell in jupytext.read(LESSONS[0]).cells:
        if "solution" in tags(cell) and f"def {function}(" in cell.source:
            return cell.source
    raise AssertionError(f"no solution of {function} in {LESSONS[0].name}")


def ours(root: Path) -> list[tuple[int, str]]:
    """The processes that work in ``root`` or name it: the hub, its proxy, the users' servers
    (each in its home) and their kernels, everything this test started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if str(root) in command or cwd.is_relative_to(root):
            found.append((int(entry.name), command))
    return found


@dataclass
class Hub:
    url: str
    root: Path
    origin: Path
    homes: Path
    process: subprocess.Popen

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {API_TOKEN}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                timeout=60, **kwargs)  # fmt: skip

    def link(self, notebook: str) -> str:
        """The assignment's nbgitpuller link, as an instructor hands it out."""
        query = urlencode({"repo": self.origin.as_uri(), "branch": "main",
                           "urlpath": f"lab/tree/{FOLDER}/notebooks/{notebook}"})  # fmt: skip
        return f"{self.url}/hub/user-redirect/git-pull?{query}"


def kernel_environment(root: Path, release: Path) -> Path:
    """A venv for the users' kernels: this one's packages, and the release's helper package."""
    venv = root / "kernel-env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([python, "-c", where], capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    (Path(purelib) / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", str(release)], check=True, timeout=300)  # fmt: skip
    return python


def write_config(root: Path, kernel_python: Path, port: int) -> Path:
    """jupyterhub_config.py: everything on 127.0.0.1, the users' homes and kernel under ``root``."""
    share = root / "jupyter-share"
    spec = share / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(kernel_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
    }))  # fmt: skip
    args = ["--allow-root"] if os.getuid() == 0 else []
    config = root / "jupyterhub_config.py"
    config.write_text(f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.JupyterHub.db_url = "sqlite:///{root}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{root}/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(STUDENTS)!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{root}/home/{{username}}"
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {args!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = {STARTUP_SECONDS}
c.Spawner.http_timeout = {STARTUP_SECONDS}
c.Spawner.environment = {{"JUPYTER_PATH": "{share}", "OMP_NUM_THREADS": "1",
                         "MKL_NUM_THREADS": "1", "JUPYTER_PLATFORM_DIRS": "1"}}
c.JupyterHub.services = [{{"name": "instructor", "api_token": {API_TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "instructor", "services": ["instructor"],
                            "scopes": ["admin:users", "admin:servers"]}}]
""")
    return config


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[Hub]:
    if not PROXY.is_file():
        pytest.fail(f"{PROXY.relative_to(ROOT)} is missing: run `make hub-proxy` (needs npm)")
    root = tmp_path_factory.mktemp("hub")
    origin = write_release(EXECUTED[:-1], root / "origin" / FOLDER, URL)
    kernel_python = kernel_environment(root, origin)
    port = free_port()
    config = write_config(root, kernel_python, port)
    log = (root / "jupyterhub.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=root,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    hub = Hub(f"http://127.0.0.1:{port}", root, origin, root / "home", process)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (root / "jupyterhub.log").read_text()[-3000:]
            try:
                if requests.get(f"{hub.url}/hub/api/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.5)
        yield hub
    finally:
        for name in STUDENTS:
            try:
                hub.api("DELETE", f"/users/{name}/server")
            except requests.RequestException:
                pass
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
            "jupyterhub.singleuser" in command or "ipykernel" in command
            for _, command in ours(root)
        ):
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        time.sleep(1)
        left = ours(root)
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert not left, f"processes left running after the hub stopped: {left}"


class Student:
    """One student's browser session: logged in to the hub, talking to their own server."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.session = requests.Session()
        self.base = f"{hub.url}/user/{name}"

    def log_in(self) -> None:
        self.session.get(f"{self.hub.url}/hub/login", timeout=60)
        form = {"username": self.name, "password": PASSWORD,
                "_xsrf": self.session.cookies.get("_xsrf", path="/hub/")}  # fmt: skip
        answer = self.session.post(f"{self.hub.url}/hub/login", data=form, timeout=120)
        assert answer.ok and "jupyterhub-session-id" in self.session.cookies, answer.text[:500]

    def open_link(self, link: str) -> str:
        """Open the nbgitpuller link (the hub starts the server), then pull as its page does."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            page = self.session.get(link, timeout=120)
            if page.ok and page.url.startswith(f"{self.base}/git-pull"):
                break
            assert time.monotonic() < deadline, f"{self.name}: the link ended at {page.url}"
            time.sleep(1)
        query = link.split("?", 1)[1]
        events = self.session.get(f"{self.base}/git-pull/api?{query}", stream=True, timeout=300)
        assert events.ok, events.text[:500]
        phases = [json.loads(line[len("data:"):]) for line in events.iter_lines(decode_unicode=True)
                  if line and line.startswith("data:")]  # fmt: skip
        assert phases and phases[-1].get("phase") == "finished", phases[-3:]
        return "".join(phase.get("output", "") for phase in phases)

    def headers(self) -> dict[str, str]:
        token = next(c.value for c in self.session.cookies
                     if c.name == "_xsrf" and c.path.startswith(f"/user/{self.name}"))  # fmt: skip
        return {"X-XSRFToken": token}

    def contents(self, path: str) -> dict:
        answer = self.session.get(f"{self.base}/api/contents/{quote(path)}", timeout=60)
        assert answer.ok, f"{self.name}: GET {path}: {answer.status_code}"
        return answer.json()

    def save(self, path: str, notebook: nbformat.NotebookNode) -> None:
        model = {"type": "notebook", "format": "json", "content": notebook}
        answer = self.session.put(f"{self.base}/api/contents/{quote(path)}", json=model,
                                  headers=self.headers(), timeout=60)  # fmt: skip
        assert answer.ok, f"{self.name}: saving {path}: {answer.status_code} {answer.text[:300]}"

    def run_all(self, notebook: nbformat.NotebookNode, folder: str) -> None:
        """Run every code cell in a new kernel through the server's API; store the outputs."""
        request = {"name": "python3", "path": folder}
        answer = self.session.post(f"{self.base}/api/kernels", json=request,
                                   headers=self.headers(), timeout=120)  # fmt: skip
        assert answer.ok, answer.text[:300]
        kernel = answer.json()["id"]
        ws_url = self.base.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        channel = websocket.create_connection(
            f"{ws_url}?{urlencode({'_xsrf': self.headers()['X-XSRFToken']})}",
            header=[f"Cookie: {cookie}"], origin=self.hub.url, timeout=300,
        )
        try:
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = execute(channel, cell.source)
        finally:
            channel.close()
            self.session.delete(f"{self.base}/api/kernels/{kernel}", headers=self.headers(),
                                timeout=60)  # fmt: skip


def execute(channel: websocket.WebSocket, code: str) -> list:
    """Send one execute_request; gather its outputs until the kernel is idle again."""
    msg_id = uuid.uuid4().hex
    channel.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "student",
                   "session": "hub-test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))  # fmt: skip
    outputs = []
    while True:
        message = json.loads(channel.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            outputs.append(nbformat.v4.new_output("stream", name=content["name"],
                                                  text=content["text"]))  # fmt: skip
        elif kind in ("execute_result", "display_data"):
            outputs.append(nbformat.v4.new_output(kind, data=content["data"]))
        elif kind == "error":
            raise AssertionError(f"a cell failed on the hub:\n{code}\n{content['ename']}: "
                                 f"{content['evalue']}")  # fmt: skip
        elif kind == "status" and content["execution_state"] == "idle":
            return outputs


def answer_stub(notebook: nbformat.NotebookNode, code: str) -> None:
    for cell in notebook.cells:
        if f"def {FUNCTION}(" in cell.source and "raise NotImplementedError" in cell.source:
            cell.source = code
            return
    raise AssertionError(f"no stub of {FUNCTION}")


def first_hour(hub: Hub, name: str, plan: str | None) -> str:
    """One student logs in, opens the link, runs the lesson, answers, saves; their saved file."""
    path = f"{FOLDER}/notebooks/{ASSIGNED.name}"
    student = Student(hub, name)
    student.log_in()
    student.open_link(hub.link(ASSIGNED.name))
    home = hub.homes / name / FOLDER
    assert sorted(p.name for p in (home / "notebooks").iterdir()) == [
        twin.name for twin in EXECUTED[:-1]
    ], f"{name}: the pull did not bring the release"
    notebook = nbformat.from_dict(student.contents(path)["content"])
    if plan is not None:
        answer_stub(notebook, solution(FUNCTION) if plan == "solution" else plan)
    student.run_all(notebook, f"{FOLDER}/notebooks")
    check = next(c for c in notebook.cells
                 if "check" in tags(c) and f"{FUNCTION}" in c.source)  # fmt: skip
    shown = "".join(o.get("text", "") for o in check.outputs)
    expected = {"solution": "✓", None: "not written yet"}.get(plan, "✗")
    assert expected in shown, f"{name} ({plan!r}) saw {shown!r}"
    student.save(path, notebook)
    return (home / "notebooks" / ASSIGNED.name).read_text(encoding="utf-8")


def test_a_class_on_jupyterhub(hub, tmp_path):
    started = time.monotonic()
    # The class starts together: the hub spawns their servers and kernels side by side.
    with ThreadPoolExecutor(max_workers=len(STUDENTS)) as class_:
        futures = {name: class_.submit(first_hour, hub, name, plan)
                   for name, plan in STUDENTS.items()}  # fmt: skip
        saved = {name: future.result() for name, future in futures.items()}

    seconds = {"log in, pull, run the lesson, save": time.monotonic() - started}
    write_release(EXECUTED, hub.origin, URL)  # the course adds its next lesson
    for name in STUDENTS:
        student = Student(hub, name)
        student.log_in()
        student.open_link(hub.link(EXECUTED[-1].name))
        home = hub.homes / name / FOLDER
        mine = (home / "notebooks" / ASSIGNED.name).read_text(encoding="utf-8")
        assert mine == saved[name], f"{name}: the update changed their saved notebook"
        assert (home / "notebooks" / EXECUTED[-1].name).is_file(), f"{name}: no new lesson"

    seconds["release again, pull again"] = time.monotonic() - started - sum(seconds.values())
    submissions = tmp_path / "SUBMISSIONS"
    for name in STUDENTS:  # the instructor gathers the assignment from each home
        (submissions / name).mkdir(parents=True)
        source = hub.homes / name / FOLDER / "notebooks" / ASSIGNED.name
        (submissions / name / ASSIGNED.name).write_bytes(source.read_bytes())
    grade_folder(submissions, tmp_path / "grades")
    seconds["gather and grade"] = time.monotonic() - started - sum(seconds.values())
    with (tmp_path / "grades" / "grades.csv").open(encoding="utf-8") as table:
        rows = [row for row in csv.DictReader(table) if row["exercise"] == CHECKER]
    points = {row["student"]: (int(row["points"]), int(row["max"])) for row in rows}
    assert sorted(points) == sorted(STUDENTS), rows
    for name, plan in STUDENTS.items():
        got, most = points[name]
        if plan == "solution":
            assert got == most > 0, (name, points[name])
        else:
            assert got < most, (name, points[name])
        assert (tmp_path / "grades" / "feedback" / f"{name}.md").is_file()
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "hub-class.json").write_text(json.dumps(
        {"students": len(STUDENTS), "points": points,
         "seconds": {step: round(value, 1) for step, value in seconds.items()}}, indent=1))
