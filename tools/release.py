"""``make release``: the student distribution, a git repository ready to publish.

    python -m tools.release --repo https://github.com/<owner>/<name> --out build/release \\
        [--branch main] notebooks/NN_topic.ipynb ...

What a class gets, and nothing else:

- ``notebooks/NN_topic.ipynb``: each lesson's student version (no solution
  cell, no speaker note, every check showing "not written yet"), with a first
  cell that installs the helper package on Colab (and does nothing elsewhere);
- ``src/softmax_course/``: the helpers and the checkers the lessons import
  (the instructor's ``tools/``, with the grader's hidden cases, stay here);
- ``pyproject.toml`` (the helper package, with loose requirements, so that
  installing it keeps the torch a Colab or a hub already has),
  ``requirements.txt`` (the exact pins of this repository, for a laptop),
  ``binder/requirements.txt`` (the same, with PyTorch's CPU wheels for Binder);
- a ``Makefile`` (``make lab``: a working copy in ``work/`` that no update
  touches), a ``README.md`` written for students, a ``.gitignore``.

Every lesson ``notebooks/[0-9][0-9]_*.ipynb`` given is included; nothing names
one. The folder is written anew and committed as a git repository on
``--branch`` (``git -C build/release push <url> main`` publishes it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tomllib
from collections.abc import Sequence
from pathlib import Path

import nbformat

from softmax_course.workspace import stamp
from tools.export import ROOT, student_version

#: The packages a student's environment needs, by their names in pyproject.toml's pins.
STUDENT_PACKAGES = ("torch", "numpy", "matplotlib", "scikit-learn", "jupyterlab", "ipykernel",
                    "jsonschema")  # fmt: skip
#: What the helper package itself imports (loose: the torch of a Colab or a hub stays).
PACKAGE_REQUIRES = ("torch", "numpy", "matplotlib", "scikit-learn")
GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+?)(?:\.git)?/?")
#: The first cell of every released notebook; {spec} is the helper package from the release.
COLAB_CELL = '''# On Google Colab, install this course's helpers (Colab's own torch stays as it is).
# Anywhere else (a laptop, Binder, JupyterHub) they are installed already and this does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "{spec}"], check=True)'''


def pins(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """Every exact pin of the course's own dependencies, by package name."""
    found = {}
    for line in tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]:
        name, version = line.split("==")
        found[name.strip()] = version.strip()
    return found


def parse_repo(url: str) -> tuple[str, str]:
    """(owner, name) of a GitHub repository URL; anything else is refused with the expected form."""
    match = GITHUB.fullmatch(url.strip())
    if match is None:
        raise ValueError(f"REPO must be https://github.com/<owner>/<name>, got {url!r}")
    return match[1], match[2]


def package_spec(url: str, branch: str) -> str:
    """What pip installs the released helper package from (Colab's first cell)."""
    owner, name = parse_repo(url)
    return f"softmax-course @ git+https://github.com/{owner}/{name}@{branch}"


def release_notebook(lesson: Path, spec: str) -> nbformat.NotebookNode:
    """The student version of ``lesson`` with the Colab cell first, stamped with its version."""
    notebook = student_version(nbformat.read(lesson, as_version=4))
    cell = nbformat.v4.new_code_cell(COLAB_CELL.format(spec=spec))
    cell.metadata = nbformat.from_dict({"tags": ["colab"]})
    notebook.cells.insert(0, cell)
    for index, each in enumerate(notebook.cells):
        each["id"] = f"{lesson.stem.replace('_', '-')}-{index}"  # the same ids on every release
    stamp(notebook, lesson.stem)
    return notebook


def lesson_title(lesson: Path) -> str:
    """The lesson's title (its ``seminar.title``; the file name when it has none)."""
    metadata = nbformat.read(lesson, as_version=4).metadata
    return metadata.get("seminar", {}).get("title", lesson.stem)


def requirements(versions: dict[str, str]) -> str:
    missing = [name for name in STUDENT_PACKAGES if name not in versions]
    if missing:
        raise ValueError(f"pyproject.toml pins none of {missing}")
    lines = [f"{name}=={versions[name]}" for name in STUDENT_PACKAGES]
    return (
        "# The exact versions this course was tested with, and the course's helpers.\n"
        "#   python -m venv .venv && .venv/bin/pip install -r requirements.txt\n"
        + "\n".join(lines) + "\n-e .\n"
    )  # fmt: skip


def pyproject(versions: dict[str, str], url: str) -> str:
    requires = ", ".join(f'"{name}"' for name in PACKAGE_REQUIRES)
    return f'''# The course's helpers and checkers, as the lessons import them (softmax_course).
# Its requirements are loose on purpose: installing it keeps the torch that a
# Colab, a JupyterHub or your environment already has. requirements.txt holds
# the exact versions the course was tested with.
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "softmax-course"
version = "0.1.0"
description = "The helpers of a Jupyter course on softmax classification with PyTorch"
requires-python = ">=3.11"
dependencies = [{requires}]

[project.urls]
Repository = "{url}"

[tool.hatch.build.targets.wheel]
packages = ["src/softmax_course"]

[tool.hatch.build.targets.wheel.shared-data]
# JupyterLab's settings for this environment: no question about Jupyter news.
"jupyter-settings/overrides.json" = "share/jupyter/lab/settings/overrides.json"
'''


MAKEFILE = """# make lab: the environment (.venv, once), your working copy (work/), JupyterLab.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := lab
PYTHON ?= python3
BIN := .venv/bin
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab setup

$(BIN)/.installed: requirements.txt pyproject.toml
\ttest -x $(BIN)/python || $(PYTHON) -m venv .venv
\t$(BIN)/python -m pip install --quiet -r requirements.txt
\ttouch $@

setup: $(BIN)/.installed

# Each lesson is copied into work/ once; your copies are never written again.
# NEW=NN_topic puts a lesson's newer version beside your own copy.
lab: setup
\t$(BIN)/python -m softmax_course.workspace notebooks work $(if $(NEW),--beside $(NEW))
\t$(BIN)/jupyter lab --ServerApp.root_dir=work --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)
"""

GITIGNORE = """# Your working copy: make lab copies each lesson here once; git never touches it.
work/
.venv/
__pycache__/
*.egg-info/
.ipynb_checkpoints/
"""


def readme(url: str, branch: str, lessons: Sequence[Path]) -> str:
    owner, name = parse_repo(url)
    first = f"notebooks/{lessons[0].name}"
    binder = f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{first}"
    colab = f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}"
    rows = "\n".join(
        f"| {lesson.stem[:2]} | [{lesson_title(lesson)}](notebooks/{lesson.name}) "
        f"| [open]({colab}/notebooks/{lesson.name}) |"
        for lesson in lessons
    )
    return f"""# Softmax classification with PyTorch: the exercises

{len(lessons)} Jupyter lessons, from turning scores into probabilities to a
classifier of handwritten digits. Each ends with exercises: a function to
write, checked by the cell after it (✓, or the first failing case with a
hint), or a prediction to write before the cell that computes the answer.

## On your computer: two commands

You need Python 3.11 to 3.14, git and GNU make.

```bash
git clone {url}.git && cd {name}
make lab
```

`make lab` builds `.venv/` the first time (the exact versions of
`requirements.txt`), copies every lesson into `work/` and opens JupyterLab
there: open the URL it prints (with its `?token=…`). **You work in `work/`.**
Ctrl-C twice stops JupyterLab.

Without make (Windows PowerShell: `.venv\\Scripts\\` instead of `.venv/bin/`):

```sh
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
.venv/bin/python -m softmax_course.workspace notebooks work
.venv/bin/jupyter lab --notebook-dir=work
```

## Getting updates

```bash
git pull
make lab
```

`git pull` never conflicts with your work: it changes `notebooks/`, and you
work in `work/`, which git ignores. `make lab` then copies each new lesson
into `work/` and never writes over a notebook that is already there. When a
lesson you have has a newer version, it says so; `make lab NEW=NN_topic`
puts the new version beside yours as `work/NN_topic.<version>.ipynb`.

## Without installing anything

- **Colab:** open a lesson from the table below. Its first cell installs this
  course's helpers (Colab's own PyTorch stays); File → Save a copy in Drive
  keeps your work.
- **Binder:** [{binder}]({binder}) builds this repository's environment and
  opens the first lesson. Binder forgets everything when you close it:
  download the notebooks you changed.
- **JupyterHub:** your instructor gives you a link that copies this
  repository into your home on the hub; opening it again later brings new
  lessons and keeps your edits.

## Lessons

| # | lesson | Colab |
|---|---|---|
{rows}

A check cell judges your own function. If a cell stops after you changed a
number, read its message; Kernel → Restart Kernel and Run All Cells starts
the lesson again from the top.
"""


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                            check=True)  # fmt: skip
    return result.stdout.strip()


def write_release(
    lessons: Sequence[Path], out_dir: Path, url: str, branch: str = "main", commit: bool = True
) -> Path:
    """Write the student distribution of ``lessons`` (executed .ipynb) into ``out_dir``.

    ``out_dir`` is emptied first, except its ``.git``: a second release on the
    same folder is a new commit on top of the first, which a student's
    ``git pull`` (or nbgitpuller) merges.
    """
    lessons = sorted(lessons)
    if not lessons:
        raise ValueError("no lessons to release")
    spec = package_spec(url, branch)
    versions = pins()
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in out_dir.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (out_dir / "notebooks").mkdir()
    for lesson in lessons:
        nbformat.write(release_notebook(lesson, spec), out_dir / "notebooks" / lesson.name)
    shutil.copytree(ROOT / "src" / "softmax_course", out_dir / "src" / "softmax_course",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    (out_dir / "jupyter-settings").mkdir()
    settings = '{\n  "@jupyterlab/apputils-extension:notification": {\n' \
        '    "fetchNews": "false",\n    "checkForUpdates": false\n  }\n}\n'  # fmt: skip
    (out_dir / "jupyter-settings" / "overrides.json").write_text(settings)
    (out_dir / "requirements.txt").write_text(requirements(versions))
    (out_dir / "binder").mkdir()
    (out_dir / "binder" / "requirements.txt").write_text(
        "# Binder (repo2docker): PyTorch's CPU wheels (PyPI's Linux torch is a CUDA build of\n"
        "# several GB), then the same exact versions as a laptop.\n"
        "--extra-index-url https://download.pytorch.org/whl/cpu\n-r ../requirements.txt\n"
    )
    (out_dir / "pyproject.toml").write_text(pyproject(versions, url))
    (out_dir / "Makefile").write_text(MAKEFILE)
    (out_dir / ".gitignore").write_text(GITIGNORE)
    (out_dir / "README.md").write_text(readme(url, branch, lessons))
    if commit:
        if not (out_dir / ".git").exists():
            git(out_dir, "init", "--quiet", f"--initial-branch={branch}")
        git(out_dir, "add", "--all")
        if git(out_dir, "status", "--porcelain"):
            names = ", ".join(lesson.stem for lesson in lessons)
            git(out_dir, "-c", "user.name=softmax-course release",
                "-c", "user.email=release@softmax-course.invalid",
                "commit", "--quiet", "-m", f"Release: {names}")  # fmt: skip
    return out_dir


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", type=Path, help="executed lessons (NN_topic.ipynb)")
    parser.add_argument("--repo", help="https://github.com/<owner>/<name>")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "release")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--requirements", action="store_true",
                        help="only print the release's pinned requirements (for a wheelhouse)")
    args = parser.parse_args(argv)
    if args.requirements:
        print(requirements(pins()).replace("-e .\n", ""), end="")
        return
    if not args.lessons or not args.repo:
        parser.error("give --repo https://github.com/<owner>/<name> and the lessons")
    try:
        parse_repo(args.repo)
    except ValueError as error:
        parser.exit(2, f"{error}\n")
    out = write_release(args.lessons, args.out, args.repo, args.branch)
    print(f"wrote {out} ({git(out, 'rev-parse', '--short', 'HEAD')} on {args.branch}); "
          f"publish it with: git -C {out} push {args.repo}.git {args.branch}")  # fmt: skip


if __name__ == "__main__":
    main()
