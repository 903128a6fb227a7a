"""The repository stands alone: a clone with nothing beside it passes its tests.

GitHub Actions and a contributor's laptop hold the repository and nothing next
to it, so no test or tool may read a file beside the repository. Proved two
ways: the repository's files (``git ls-files``) are copied into an empty folder
and the tests that read the repository's files run there; and no test or tool
builds a path that leaves the repository root.
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

from conftest import ANSI_ESCAPE, EXECUTED, ROOT

#: The tests that read the repository's own files (the seminar's numbers, the
#: documents, the workflow, the lessons), run again from the copy; left out are the
#: ones that train for thousands of epochs or install the course into a new venv.
READERS = {
    "tests/test_training.py": "seminar and not each_style",
    "tests/test_site.py": "",
    "tests/test_data.py": "",
    "tests/test_platforms.py": "not pip_install",
}
#: Spellings of a path beside the repository: above its root, or a sibling folder.
LEAVES_THE_ROOT = re.compile(
    r"ROOT\.parent\b|parents\[[2-9]\]|\.parent\.parent\.parent|[\"']\.\./|[\"']\.\.[\"']"
    r"|[\"']/work/"
)


def repository_files() -> list[str]:
    """The files a clone holds: tracked ones, and new ones not ignored (not yet committed)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of the repository's files")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    return sorted({name for name in listed if name and (ROOT / name).is_file()})


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's files in a folder of its own, with nothing beside it."""
    parent = tmp_path_factory.mktemp("alone")
    copy = parent / ROOT.name
    for name in repository_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert list(parent.iterdir()) == [copy]
    return copy


def pytest_in(copy: Path, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run pytest in the copy, importing the copy's ``softmax_course`` and ``tools``."""
    paths = [str(copy / "src")]
    if os.environ.get("PYTHONPATH", "").endswith(str(Path("tests") / "offline")):
        paths.append(str(copy / "tests" / "offline"))  # the network guard of make test
    env = {**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *arguments],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return result.returncode, ANSI_ESCAPE.sub("", result.stdout + result.stderr)


def test_a_copy_alone_collects_everything_and_passes_the_tests_that_read_its_files(alone):
    """``pytest --nbval`` with no paths (the README's make-free command) at the copy's root
    collects every test module and every code cell of every lesson (a module or notebook
    that fails to load is an error), and the tests that read the repository's files pass."""
    selection = " or ".join(
        f"({Path(path).name} and {words})" if words else Path(path).name
        for path, words in READERS.items()
    )
    report = alone.parent / "collected.json"
    returncode, output = pytest_in(
        alone, "--nbval", "-rs", "-k", selection, env={"SOFTMAX_COURSE_COLLECTED": str(report)}
    )
    assert returncode == 0, output[-3000:]
    assert " skipped" not in output, f"a file the tests read is missing from the copy:\n{output}"
    assert re.search(r"\d+ passed, \d+ deselected", output), output[-3000:]
    collected = json.loads(report.read_text(encoding="utf-8"))
    expected = {
        f"notebooks/{path.name}": sum(
            cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells
        )
        for path in (alone / "notebooks" / lesson.name for lesson in EXECUTED)
    }
    assert {name: collected.get(name) for name in expected} == expected, "a cell per code cell"
    modules = [f"tests/{path.name}" for path in sorted((alone / "tests").glob("test_*.py"))]
    assert [name for name in modules if name not in collected] == [], collected


def test_no_test_or_tool_builds_a_path_beside_the_repository():
    """The hostile class's attacks leave the root inside the sandbox on purpose, marked so."""
    sources = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("tools/*"), ROOT / "conftest.py"]
    leaving = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path.is_file() and path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LEAVES_THE_ROOT.search(line) and not line.endswith("# an attack: leaves the root")
    ]
    assert not leaving, "paths that leave the repository root:\n" + "\n".join(leaving)
