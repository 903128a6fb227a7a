"""``make release``: the student distribution holds no answer, stands alone, and installs on Colab.

The release is written (``tools.release``) into a temporary folder, as a git
repository, and then:

- every file of it is read: no line of a solution, no text of the grader's
  hidden cases, no speaker's note, no instructor tool, no placeholder;
- it is copied into an empty folder, a fresh environment is built from its
  own ``requirements.txt`` alone (offline, from the wheels ``make
  release-wheels`` downloaded; installed by uv, from its cache); there every
  module a lesson imports imports, the digits load, and the first lesson runs
  top to bottom in the student's working copy: its checks print "not written
  yet";
- its notebooks' first (Colab) cell installs its helper package into a fresh
  environment holding another torch than the pin (``make colab-env``: PyPI's
  CUDA build of torch 2.14.1, as Colab has a torch of its own) and keeps that
  torch: ``test_lab_browser.py`` checks this, as that environment is its
  JupyterLab's kernel, where every lesson runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from colab_env import INSTALL_TIMEOUT, NEEDS_MAKE, URL, WHEELHOUSE
from test_student_files import HIDDEN_TEXT, SECRETS, code_lines, visible_text

from conftest import EXECUTED, ROOT, tags
from softmax_course import workspace
from tools.export import slide_type
from tools.release import COLAB_CELL, package_spec, parse_repo, pins, write_release

UV_CACHE = ROOT / "build" / "uv-cache"
UV = Path(sys.executable).parent / "uv"
#: Words that mark a file as unfinished or pointing nowhere.
PLACEHOLDER = re.compile(r"OWNER|<owner>|<name>|your-?name|example\.(com|org)|TODO|FIXME|XXX")
#: Seconds: a lesson takes well under a minute here.
LESSON_TIMEOUT = 600


def every_note() -> list[str]:
    """The speaker's notes of every lesson (the markdown of its cells of slide_type notes)."""
    return [
        cell.source
        for twin in EXECUTED
        for cell in nbformat.read(twin, as_version=4).cells
        if slide_type(cell) == "notes"
    ]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return write_release(EXECUTED, tmp_path_factory.mktemp("release") / "softmax-exercises", URL)


def shipped(release: Path) -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=release, capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    return [release / name for name in listed]


def test_the_release_is_a_committed_repository_of_the_student_files(release):
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=release,
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert status == "", f"the release repository is not clean: {status}"
    files = {path.relative_to(release).as_posix() for path in shipped(release)}
    assert {f"notebooks/{twin.name}" for twin in EXECUTED} <= files
    assert {"README.md", "Makefile", "requirements.txt", "binder/requirements.txt",
            "pyproject.toml", ".gitignore", "src/softmax_course/exercises/__init__.py"} <= files
    lessons = sorted(name for name in files if name.startswith("notebooks/"))
    assert lessons == [f"notebooks/{twin.name}" for twin in EXECUTED], "only the lessons, as .ipynb"
    for name in lessons:  # make lab's copy into work/ knows each lesson's version
        assert workspace.KEY in nbformat.read(release / name, as_version=4).metadata, name
    leaked = [name for name in files if name.split("/")[0] in {"tools", "tests", "build", "student"}
              or "hidden_cases" in name or name.endswith(".pyc")]  # fmt: skip
    assert not leaked, f"instructor files in the release: {leaked}"


def test_no_released_file_holds_an_answer_a_note_or_a_placeholder(release):
    every_secret = set().union(*SECRETS.values())
    notes = every_note()
    note_lines = {line.strip() for note in notes for line in note.splitlines() if len(line) > 30}
    assert notes and note_lines
    problems = []
    for path in shipped(release):
        text = visible_text(path)
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
            sources = [cell.source for cell in notebook.cells]
            lines = code_lines([s for s, c in zip(sources, notebook.cells, strict=True)
                                if c.cell_type == "code"])  # fmt: skip
            cells = notebook.cells
            outputs = [o.get("text", "") for c in cells for o in c.get("outputs", [])]
            outputs += [o.get("data", {}).get("text/plain", "") for c in cells
                        for o in c.get("outputs", [])]  # fmt: skip
            lines |= code_lines(outputs)
            text = "\n".join(sources + outputs)  # what a person reads, not the figures' base64
            problems += [f"{path.name}: a notes cell" for c in cells if slide_type(c) == "notes"]
            problems += [f"{path.name}: a solution cell" for c in cells if "solution" in tags(c)]
            problems += [f"{path.name}: a speaker's note" for s in sources if s in notes]
        else:
            lines = {line.strip() for line in text.splitlines()}
        problems += [f"{path}: solution line {line!r}" for line in sorted(lines & every_secret)]
        problems += [f"{path}: note line {line!r}" for line in sorted(lines & note_lines)]
        problems += [f"{path}: hidden case {name!r}" for name in HIDDEN_TEXT if name in text]
        problems += [f"{path}: placeholder {m[0]!r}" for m in PLACEHOLDER.finditer(text)]
    assert not problems, "\n".join(problems)


def test_the_repository_url_is_where_students_need_it(release):
    owner, name = parse_repo(URL)
    readme = (release / "README.md").read_text()
    assert f"git clone {URL}.git" in readme
    assert f"https://mybinder.org/v2/gh/{owner}/{name}/main?urlpath=lab/tree/notebooks/" in readme
    for twin in EXECUTED:
        colab = f"https://colab.research.google.com/github/{owner}/{name}/blob/main/notebooks/"
        assert f"{colab}{twin.name}" in readme
        first = nbformat.read(release / "notebooks" / twin.name, as_version=4).cells[0]
        assert first.source == COLAB_CELL.format(spec=package_spec(URL, "main")), first.source
    assert f'Repository = "{URL}"' in (release / "pyproject.toml").read_text()
    for bad in ("https://github.com/a", "http://github.com/a/b", "github.com/a/b", "a/b"):
        with pytest.raises(ValueError, match="REPO must be"):
            parse_repo(bad)


def test_make_release_needs_the_repository(tmp_path):
    done = subprocess.run(["make", "-o", ".venv/.installed", "-o", ".venv/.installed-dev",
                           "release", f"RELEASE_DIR={tmp_path}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 2 and "make release REPO=https://github.com/" in done.stdout
    assert not list(tmp_path.iterdir())


def test_the_pins_are_the_courses_and_the_package_keeps_any_torch(release):
    versions = pins()
    requirement_lines = (release / "requirements.txt").read_text().splitlines()
    pinned = dict(line.split("==") for line in requirement_lines if "==" in line)
    assert pinned and all(versions[name] == version for name, version in pinned.items())
    assert {"torch", "jupyterlab", "matplotlib", "scikit-learn"} <= set(pinned)
    assert not {"pytest", "nbval", "otter-grader", "playwright", "ruff", "jupyterhub"} & set(pinned)
    package = (release / "pyproject.toml").read_text()
    assert "==" not in package.split("[project]")[1].split("[project.urls]")[0]
    binder = (release / "binder" / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in binder


def test_a_second_release_is_a_commit_a_pull_merges(release, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(release), str(clone)], check=True)
    again = write_release(EXECUTED[:-1], tmp_path / "again", URL)
    assert not (again / "notebooks" / EXECUTED[-1].name).exists()
    write_release(EXECUTED, again, URL)
    log = subprocess.run(["git", "log", "--format=%s"], cwd=again, capture_output=True,
                         text=True, check=True).stdout.splitlines()  # fmt: skip
    assert len(log) == 2 and EXECUTED[-1].stem in log[0]


def run_lessons(
    python: Path, folder: Path, env: dict[str, str], pattern: str = "[0-9][0-9]_*"
) -> dict[str, str]:
    """Run the notebooks ``pattern`` names in ``folder`` with ``python``'s own kernel; return
    their checks' outputs."""
    script = """
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
checks = {}
for path in sorted(Path(sys.argv[1]).glob(sys.argv[2] + ".ipynb")):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=600, shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    checks[path.stem] = "".join(
        o.get("text", "") for c in notebook.cells if "check" in c.metadata.get("tags", [])
        for o in c.outputs)
print(json.dumps(checks))
"""
    done = subprocess.run([python, "-c", script, folder, pattern], capture_output=True, text=True,
                          env=env, timeout=LESSON_TIMEOUT * len(EXECUTED), check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def assert_every_check_unsolved(checks: dict[str, str], lessons: list[str]) -> None:
    assert sorted(checks) == lessons
    for lesson, text in checks.items():
        assert text and "✓" not in text, (lesson, text)
        for line in text.splitlines():
            unsolved = "not written yet" in line or "write your prediction first" in line
            assert unsolved, (lesson, line)


def jupyter_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment (with its network guard), Jupyter's folders private."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        env[name] = str(tmp_path / "jupyter" / name.lower())
    return env


@NEEDS_MAKE
def lesson_imports(folder: Path) -> list[str]:
    """Every import statement of the notebooks in ``folder``."""
    import ast

    statements = set()
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and not cell.source.lstrip().startswith(("%", "!")):
                statements.update(
                    ast.unparse(node)
                    for node in ast.walk(ast.parse(cell.source))
                    if isinstance(node, ast.Import | ast.ImportFrom)
                )
    return sorted(statements)


def test_the_release_alone_installs_and_runs_its_lessons(release, tmp_path):
    if not (WHEELHOUSE / ".downloaded").is_file():
        pytest.fail(f"{WHEELHOUSE.relative_to(ROOT)} is missing: run `make release-wheels`")
    copy = tmp_path / "empty" / "softmax-exercises"
    shutil.copytree(release, copy, ignore=shutil.ignore_patterns(".git"))
    env = jupyter_env(tmp_path)
    env["UV_CACHE_DIR"] = str(UV_CACHE)
    python = copy / ".venv" / "bin" / "python"
    # uv installs what pip would from requirements.txt (exact pins, then the package itself), in
    # seconds from its cache (which make release-wheels fills) where pip takes minutes.
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, ".venv"], cwd=copy,
                   env=env, check=True)  # fmt: skip
    subprocess.run([UV, "pip", "install", "--quiet", "--python", python, "--offline", "--no-index",
                    "--find-links", WHEELHOUSE, "-r", "requirements.txt"],
                   cwd=copy, env=env, check=True, timeout=INSTALL_TIMEOUT)  # fmt: skip
    installed = subprocess.run([UV, "pip", "list", "--python", python, "--format=json"],
                               cwd=copy, env=env, capture_output=True, text=True,
                               check=True).stdout  # fmt: skip
    names = {package["name"].lower() for package in json.loads(installed)}
    assert {"torch", "jupyterlab", "softmax-course"} <= names, names
    assert not {"pytest", "nbval", "otter-grader", "playwright", "ruff", "jupyterhub"} & names
    where = subprocess.run([python, "-c", "import softmax_course; print(softmax_course.__file__)"],
                           capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    assert Path(where.strip()).is_relative_to(copy), where
    work = subprocess.run([python, "-m", "softmax_course.workspace", "notebooks", "work"],
                          cwd=copy, env=env, capture_output=True, text=True, check=True)
    assert work.stdout.count("new lesson: work/") == len(EXECUTED), work.stdout
    imports = lesson_imports(copy / "work")
    assert "import torch" in imports and len(imports) > 10, imports
    # Every helper module too, not only those a lesson imports by name.
    imports.append("import importlib, pkgutil, softmax_course as c\n"
                   "for found in pkgutil.walk_packages(c.__path__, 'softmax_course.'):\n"
                   "    importlib.import_module(found.name)")  # fmt: skip
    digits = "from softmax_course.data import load_digits_split\n" \
             "print(len(load_digits_split().y_train))"  # fmt: skip
    script = "\n".join([*imports, digits])
    loaded = subprocess.run([python, "-c", script], capture_output=True, text=True,
                            env=env, timeout=LESSON_TIMEOUT, check=False)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert int(loaded.stdout) > 1000, loaded.stdout
    first = EXECUTED[0].stem
    assert_every_check_unsolved(run_lessons(python, copy / "work", env, first), [first])


def test_the_releases_make_lab_installs_its_pins_and_works_in_work(release):
    plan = subprocess.run(["make", "-n", "lab", "NEW=01_softmax"], cwd=release,
                          capture_output=True, text=True, timeout=60, check=True).stdout
    assert "pip install --quiet -r requirements.txt" in plan, plan
    assert "softmax_course.workspace notebooks work --beside 01_softmax" in plan, plan
    assert "--ServerApp.root_dir=work " in plan and "--ServerApp.ip=127.0.0.1" in plan, plan
    ignored = subprocess.run(["git", "check-ignore", "work/01_softmax.ipynb"], cwd=release,
                             capture_output=True, text=True, check=False).stdout  # fmt: skip
    assert ignored.strip() == "work/01_softmax.ipynb", "git must ignore the student's work/"
