"""What ``pip install .`` gives a student: the lesson modules, and no maintainer tool.

A wheel is built from a copy of the repository (offline, with this
environment's setuptools) and its file list is read.
"""

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import PACKAGE, ROOT

#: What the lessons import, make lab's working copy, nothing else (below softmax_course/, no .py).
LESSON_MODULES = {
    "__init__",
    "_validation",
    "data",
    "exercises/__init__",
    "exercises/runner",
    "exercises/rules",
    "exercises/wire",
    "exercises/softmax",
    "exercises/one_hot",
    "exercises/cross_entropy",
    "exercises/training_styles",
    "exercises/double_softmax",
    "exercises/numerical_stability",
    "exercises/mistakes",
    "exercises/digits",
    "exercises/minibatches",
    "exercises/calibration",
    "functional",
    "models",
    "plotting",
    "training",
    "workspace",  # not a lesson's: make lab's working copy (python -m softmax_course.workspace)
}
#: The notebook machinery of the maintainer's tools; students never import it.
TOOLING = {"nbclient", "nbconvert", "jupytext", "jupyter_client", "nbformat", "tools"}
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".venv-colab", "build", "work", "*.egg-info", "__pycache__", ".pytest_cache",
    ".ruff_cache",
)


def build_wheel(folder: Path) -> Path:
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "--quiet", "-w", str(folder / "dist"), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (folder / "dist").glob("softmax_course-*.whl")
    return wheel


def test_the_wheel_holds_only_the_lesson_modules(tmp_path):
    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    modules = {name for name in names if name.endswith(".py")}
    assert modules == {f"softmax_course/{module}.py" for module in LESSON_MODULES}, (
        "the wheel must hold the lesson modules only; a maintainer tool belongs in tools/, "
        "a new lesson module in LESSON_MODULES"
    )
    assert not [name for name in names if name.startswith("tools/")]
    packaged = {name.split("/")[0] for name in names}
    assert all(
        top == "softmax_course" or top.endswith((".dist-info", ".data")) for top in packaged
    ), sorted(packaged)


def test_the_package_holds_only_the_lesson_modules():
    modules = {p.relative_to(PACKAGE).with_suffix("").as_posix() for p in PACKAGE.rglob("*.py")}
    assert modules == LESSON_MODULES


def imported_modules(path: Path) -> set[str]:
    """The top-level names of every module that ``path`` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_lesson_module_imports_the_notebook_tooling():
    for path in sorted(PACKAGE.rglob("*.py")):
        assert not imported_modules(path) & TOOLING, path.name


def test_importing_the_package_loads_no_notebook_tooling():
    dotted = {name.removesuffix("/__init__").replace("/", ".") for name in LESSON_MODULES}
    modules = ", ".join(f"softmax_course.{name}" for name in sorted(dotted - {"__init__"}))
    probe = (
        f"import sys, {modules}\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(TOOLING)!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT / "notebooks",
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
