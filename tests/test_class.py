"""A hostile class: honest and attacking submissions graded in one batch by ``tools.grade``.

Submissions are built from the lessons themselves: a lesson's notebook is the
solved submission (its solution cells redefine the stubs), and without its
solution cells it is the student's unsolved one, where a stub may be answered
by other code. An attacker hands in a
short notebook: only the lesson's functions, and the attack. Every attack the
grader must withstand is one submission, and most turn a successful attack
into a visible grade: their function answers right only while the attack
failed. Each submission must get exactly its expected grade (the honest
students' full marks among the attacks included); nothing outside the
sandboxes may change (the repository and the virtual environment are hashed
before and after); no process of a sandbox may outlive its grading.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import EXECUTED, ROOT, tags
from softmax_course.exercises import EXERCISES
from tools import sandbox
from tools.grade import all_cases, exercises_of, grade_folder

#: The hostile class's longest runs are the honest students' softmax lesson, a few seconds:
#: small limits end the endless and the sleeping notebooks soon. Every lesson's batch has the
#: default ones.
LIMITS = sandbox.Limits(cpu_seconds=10, wall_factor=3.0)
FIRST = EXECUTED[0].stem  # the softmax lesson: the attacks hand in its functions
#: What a submission's marker process is called, to find it if it outlived its grading.
MARKER = "softmax-course-outlives-its-grading"

RIGHT_SOFTMAX = "def my_softmax(z):\n    e = torch.exp(z - z.amax(dim=-1, keepdim=True))\n    return e / e.sum(dim=-1, keepdim=True)\n"
WRONG_SOFTMAX = "def my_softmax(z):\n    return z\n"


def _sandbox_problem() -> str | None:
    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as error:
        return str(error)
    return None


SANDBOX_PROBLEM = _sandbox_problem()
if SANDBOX_PROBLEM and os.environ.get("SOFTMAX_COURSE_REQUIRE_SANDBOX") != "1":
    pytestmark = pytest.mark.skip(reason=f"no sandbox here: {SANDBOX_PROBLEM}")


def test_the_sandbox_is_there():
    """Under .ci/run (SOFTMAX_COURSE_REQUIRE_SANDBOX=1) a missing sandbox fails, never skips."""
    assert SANDBOX_PROBLEM is None, SANDBOX_PROBLEM


def lesson_notebook(lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)


def unsolved(lesson: str) -> nbformat.NotebookNode:
    """The lesson as a student gets it: no solution cell, no stored output."""
    notebook = lesson_notebook(lesson)
    notebook.cells = [cell for cell in notebook.cells if "solution" not in tags(cell)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    return notebook


def answered(lesson: str, **codes: str) -> nbformat.NotebookNode:
    """The solved lesson, with the given functions' stubs answered by ``codes`` instead."""
    notebook = unsolved(lesson)
    solutions = [c for c in lesson_notebook(lesson).cells if "solution" in tags(c)]
    for exercise in exercises_of(lesson):
        code = codes.get(exercise.function)
        if code is None:
            code = next(c.source for c in solutions if f"def {exercise.function}(" in c.source)
        stub = next(
            c
            for c in notebook.cells
            if c.cell_type == "code" and f"def {exercise.function}(" in c.source
        )
        stub.source = code
    return notebook


#: The first cell of a short submission: what the lessons' solutions use.
SHORT_IMPORTS = "import math\nimport torch\nimport torch.nn.functional as F\n"


def short(lesson: str, **codes: str) -> nbformat.NotebookNode:
    """Only the functions of ``lesson``, solved (or answered by ``codes``): a submission
    trimmed to what is graded, as an attacker hands it in; it runs in a second, not a lesson's
    time."""
    solved = answered(lesson, **codes)
    functions = [
        cell.source
        for cell in solved.cells
        if cell.cell_type == "code"
        and any(f"def {exercise.function}(" in cell.source for exercise in exercises_of(lesson))
    ]
    cells = [SHORT_IMPORTS, *functions]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def with_cell(notebook: nbformat.NotebookNode, code: str, at: int = 1) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(notebook)
    notebook.cells.insert(at, nbformat.v4.new_code_cell(code))
    return notebook


def attack(code: str) -> nbformat.NotebookNode:
    """The softmax lesson's functions plus a cell that sets ``ATTACK_WORKED`` when ``code``
    succeeds; then ``my_softmax`` answers wrong, so a successful attack shows in the grade."""
    body = "\n".join("    " + line for line in code.strip().splitlines())
    cell = f"ATTACK_WORKED = []\ntry:\n{body}\nexcept BaseException as error:\n    print(type(error).__name__, error)\n"
    notebook = with_cell(short(FIRST), cell)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "_right = my_softmax\n"
            "def my_softmax(z):\n"
            "    return z if ATTACK_WORKED else _right(z)\n"
        )
    )
    return notebook


def full(lesson: str) -> dict[str, object]:
    return {exercise.name: len(all_cases(exercise)) for exercise in exercises_of(lesson)}


def zero(lesson: str, why: str) -> dict[str, object]:
    return {exercise.name: f"0:{why}" for exercise in exercises_of(lesson)}


class Handing:
    """A class being written: the notebooks under ``out`` and the grade each should get
    ((student, file) -> points, "fail" or "0:<feedback fragment>" per exercise)."""

    def __init__(self, out: Path) -> None:
        self.out, self.expected = out, {}

    def __call__(self, student: str, notebook, points: dict, name: str = FIRST) -> None:
        folder = self.out / student
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / f"{name}.ipynb")
        self.expected[(student, f"{name}.ipynb")] = points


def every_lesson_class(out: Path) -> dict:
    """Every lesson solved, whole, as a student hands it in, graded under the default limits
    (the softmax lesson's is the hostile class's honest student's). Every known-wrong answer
    is graded by ``test_exercises.py``, with the sandbox's probe run in its process."""
    hand_in = Handing(out)
    for notebook_path in EXECUTED:
        lesson = notebook_path.stem
        if lesson != FIRST:
            hand_in("solution", answered(lesson), full(lesson), lesson)
    return hand_in.expected


def hostile_class(out: Path, grades: Path) -> tuple[dict, dict]:
    """Write the hostile class under ``out``. Returns the grade each file should get, and
    file -> the reason it is not graded."""
    hand_in = Handing(out)
    expected = hand_in.expected
    not_graded: dict[tuple[str, str], str] = {}

    # --- honest students -----------------------------------------------------------------
    hand_in("solution", answered(FIRST), full(FIRST))
    hand_in("stub", unsolved(FIRST), zero(FIRST, "not written yet"))
    hand_in("other-correct", answered(FIRST, my_softmax=RIGHT_SOFTMAX), full(FIRST))

    # --- a wrong answer that patches everything it can in its own kernel -------------------
    hand_in(
        "patches-its-kernel",
        with_cell(
            short(FIRST, my_softmax=WRONG_SOFTMAX),
            (
                "import inspect, torch, softmax_course.exercises.runner as runner\n"
                "torch.isclose = lambda a, b, **kw: torch.ones_like(a, dtype=torch.bool)\n"
                "inspect.getsourcefile = lambda obj: runner.__file__\n"
                "runner.compare_tensors = lambda got, expected, atol=0: None\n"
            ),
            at=len(short(FIRST).cells),
        ),
        {**full(FIRST), "check_softmax": "fail"},
    )
    hand_in(
        "fake-check-output",
        with_cell(
            short(FIRST, my_softmax=WRONG_SOFTMAX),
            'print("✓ check_softmax: all 5 cases pass")\nprint("Total Score: 13/13")',
        ),
        {**full(FIRST), "check_softmax": "fail"},
    )

    # --- the exercises' rules -------------------------------------------------------------
    hand_in(
        "rule-f-softmax",
        short(FIRST, my_softmax="def my_softmax(z):\n    return F.softmax(z, dim=-1)\n"),
        {**full(FIRST), "check_softmax": "0:rule broken"},
    )
    hand_in(
        "rule-alias",
        short(FIRST, my_softmax="s = torch.softmax\ndef my_softmax(z):\n    return s(z, -1)\n"),
        {**full(FIRST), "check_softmax": "0:rule broken"},
    )
    hand_in(
        "rule-course-reference",
        short(
            FIRST,
            my_softmax=(
                "from softmax_course.exercises import EXERCISES\n"
                "def my_softmax(z):\n    return EXERCISES['check_softmax'].reference(z)\n"
            ),
        ),
        {**full(FIRST), "check_softmax": "0:rule broken"},
    )
    gradient = "03_cross_entropy"
    hand_in(
        "rule-autograd",
        short(
            gradient,
            logit_gradient=(
                "def logit_gradient(z, y):\n    z = z.clone().requires_grad_(True)\n"
                "    F.cross_entropy(z, y).backward()\n    return z.grad\n"
            ),
        ),
        {**full(gradient), "check_logit_gradient": "0:rule broken"},
        gradient,
    )

    # --- reaching outside its own folder: every attempt must fail --------------------------
    repo, venv = str(ROOT), sys.prefix
    hand_in(
        "reads-solutions-and-hidden-cases",
        attack(f"""
import os, pathlib, softmax_course
paths = [pathlib.Path({repo!r}) / 'notebooks' / '01_softmax.py', pathlib.Path({repo!r}) / 'tools' / 'hidden_cases.py',
         pathlib.Path(softmax_course.__file__).resolve().parents[2] / 'tools' / 'hidden_cases.py',  # an attack: leaves the root
         pathlib.Path('/proc/1/root') / {repo.lstrip("/")!r} / 'tools' / 'hidden_cases.py',  # an attack: leaves the root
         pathlib.Path('/proc/self/root') / {repo.lstrip("/")!r} / '.git' / 'HEAD',  # an attack: leaves the root
         pathlib.Path('..') / '..' / {repo.lstrip("/")!r} / 'notebooks' / '01_softmax.py',  # an attack: leaves the root
         pathlib.Path({str(out)!r}) / 'solution' / '01_softmax.ipynb',
         pathlib.Path({str(grades)!r})]
for path in paths:
    try:
        path.read_bytes() if not path.is_dir() else os.listdir(path)
        ATTACK_WORKED.append(str(path))
    except OSError:
        pass
try:
    os.symlink({repo!r}, 'repo')
    os.listdir('repo/tools')
    ATTACK_WORKED.append('symlink')
except OSError:
    pass
"""),
        full(FIRST),
    )
    # What a planted file would run later, outside the sandbox: it leaves a file in the
    # submissions' folder, which the test hashes before and after.
    planted = f"import pathlib; pathlib.Path({str(out / 'planted-code-ran')!r}).touch()\n"
    hand_in(
        "writes-everywhere",
        attack(f"""
import pathlib, site, softmax_course
targets = [pathlib.Path({venv!r}) / 'lib' / 'python{sys.version_info.major}.{sys.version_info.minor}' / 'site-packages' / 'zz_evil.pth',
           pathlib.Path({venv!r}) / 'lib' / 'python{sys.version_info.major}.{sys.version_info.minor}' / 'site-packages' / 'sitecustomize.py',
           pathlib.Path(site.getusersitepackages()) / 'usercustomize.py',  # an attack: leaves the root
           pathlib.Path(softmax_course.__file__).parent / 'evil.py',
           pathlib.Path({repo!r}) / 'tools' / 'hidden_cases.py',
           pathlib.Path({str(grades)!r}) / 'grades.csv',
           pathlib.Path({str(out)!r}) / 'solution' / '01_softmax.ipynb']
for target in targets:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text({planted!r})
        if not str(target).startswith((str(pathlib.Path.home()), '/tmp')):  # its own folders; an attack: leaves the root
            ATTACK_WORKED.append(str(target))
    except OSError:
        pass
"""),
        full(FIRST),
    )
    hand_in(
        "ctypes",
        attack("""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
if libc.setuid(0) == 0 and os.getuid() == 0 and os.geteuid() != 0:
    ATTACK_WORKED.append('setuid')
if libc.mount(b'/', b'/tmp', None, 4096 | 16384, None) == 0:  # MS_BIND | MS_REC; an attack: leaves the root
    ATTACK_WORKED.append('mount')
if libc.unshare(0x10000000) == 0 and os.path.exists('/proc/1/root/etc/shadow') and open('/etc/shadow').read():  # CLONE_NEWUSER; an attack: leaves the root
    ATTACK_WORKED.append('unshare')
"""),
        full(FIRST),
    )
    hand_in(
        "network",
        attack("""
import socket
for address in [('192.0.2.1', 80), ('1.1.1.1', 53), ('127.0.0.1', 22)]:
    try:
        socket.create_connection(address, timeout=2).close()
        ATTACK_WORKED.append(address)
    except OSError:
        pass
"""),
        full(FIRST),
    )

    # --- limits: each bounded, so that a failed limit cannot hurt the test's machine ----------
    hand_in(
        "memory",
        attack("""
block = bytearray(6 * 2**30)
ATTACK_WORKED.append(len(block))
"""),
        full(FIRST),
    )
    forks = "import os, time\nchildren = 0\nfor _ in range(300):\n    pid = os.fork()\n    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n    children += 1\nATTACK_WORKED.append(children)\n"
    # The process limit is per user: it holds where the grader gives each sandbox its own (as root).
    hand_in(
        "fork-bomb",
        attack(forks),
        full(FIRST) if os.geteuid() == 0 else {**full(FIRST), "check_softmax": "fail"},
    )
    hand_in(
        "fills-its-folder",
        attack("""
import pathlib
for index in range(40):
    with open(pathlib.Path.home() / f'fill-{index}', 'wb') as file:  # an attack: leaves the root
        file.write(b'x' * 32 * 2**20)
ATTACK_WORKED.append('filled')
"""),
        full(FIRST),
    )
    hand_in(
        "prints-300-mb",
        with_cell(short(FIRST), "for _ in range(300):\n    print('x' * 2**20)"),
        full(FIRST),
    )
    hand_in(
        "outlives-its-grading",
        with_cell(
            short(FIRST),
            (
                "import subprocess, sys\n"
                f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {MARKER!r}], start_new_session=True)\n"
            ),
        ),
        full(FIRST),
    )
    # Named to come first in the grader's order (by path): it holds a job idle for the whole
    # wall limit, while the rest of the batch runs on the other two.
    hand_in(
        "asleep",
        with_cell(short(FIRST), "import time\ntime.sleep(10**6)"),
        zero(FIRST, "wall time"),
    )
    # Stopped by the processor limit, or on a loaded machine by the wall time first.
    hand_in("endless-loop", with_cell(short(FIRST), "while True:\n    pass"), zero(FIRST, ""))
    hand_in(
        "crashes",
        with_cell(short(FIRST), "import os\nos._exit(3)"),
        zero(FIRST, "kernel stopped"),
    )

    # --- every file is accounted for: misnamed files graded, the rest listed with the reason ----
    hand_in("second-download", short(FIRST), full(FIRST), f"{FIRST} (1)")
    hand_in("capitals", short(FIRST), full(FIRST), "01_Softmax")
    hand_in("jupyter-copy", short(FIRST), full(FIRST), f"{FIRST}-Copy1")
    renamed = short(FIRST)
    renamed.metadata["softmax_course"] = {"lesson": FIRST}
    hand_in("named-by-metadata", renamed, full(FIRST), "homework")

    def hand_in_file(student: str, name: str, data: bytes, reason: str) -> None:
        (out / student).mkdir(parents=True, exist_ok=True)
        (out / student / name).write_bytes(data)
        not_graded[(student, name)] = reason

    hand_in_file("not-json", f"{FIRST}.ipynb", b"this is not a notebook", "not JSON")
    hand_in_file("empty", f"{FIRST}.ipynb", b"", "empty")
    hand_in_file(
        "huge", f"{FIRST}.ipynb", b'{"cells": [], "pad": "' + b"x" * 6 * 2**20 + b'"}', "too large"
    )
    hand_in_file(
        "unknown-lesson",
        "99_nothing.ipynb",
        nbformat.writes(answered(FIRST)).encode(),
        "not a lesson",
    )
    both = nbformat.writes(answered(FIRST)).encode()
    hand_in_file("two-files", f"{FIRST}.ipynb", both, "two or more files")
    hand_in_file("two-files", f"{FIRST} (1).ipynb", both, "two or more files")
    (out / "symlink").mkdir()
    (out / "symlink" / f"{FIRST}.ipynb").symlink_to(out / "solution" / f"{FIRST}.ipynb")
    not_graded[("symlink", f"{FIRST}.ipynb")] = "symbolic link"
    (out / "nothing-handed-in").mkdir()
    return expected, not_graded


def tree_digest(*folders: Path) -> dict[str, str]:
    """Each file under the folders: its size and modification time, and its bytes' hash when small."""
    digest = {}
    for folder in folders:
        for path in sorted([folder] if folder.is_file() else folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                stat = path.stat()
                content = (
                    hashlib.sha256(path.read_bytes()).hexdigest() if stat.st_size < 2**20 else ""
                )
                digest[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}:{content}"
    return digest


def marker_processes() -> list[str]:
    """The processes whose command line carries ``MARKER``, read from the process table
    (``/proc``: the sandbox, and so this test, runs on Linux only); no file beside the
    repository is read."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if MARKER in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(proc.name)
        except OSError:
            continue
    return found


def rows_of(grades: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((grades / "grades.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out, grades = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("grades")
    lessons_out, lessons_grades = (
        tmp_path_factory.mktemp("lessons"),
        tmp_path_factory.mktemp("lessons-grades"),
    )
    expected, not_graded = hostile_class(out, grades)
    expected_lessons = every_lesson_class(lessons_out)
    # .git's hooks and config, where a planted file would run later; its objects and refs
    # change with a maintainer's own commits during the test.
    watched = [ROOT / name for name in ("src", "tools", "notebooks", "tests", ".git/hooks")]
    watched += [ROOT / ".git" / "config"] if (ROOT / ".git" / "config").is_file() else []
    watched += [Path(sys.prefix), out, lessons_out]
    before = tree_digest(*watched)
    began = time.perf_counter()
    # Three at a time: the sleeping notebook holds its place for the whole wall limit, idle.
    results = grade_folder(out, grades, jobs=3, limits=LIMITS)
    results += grade_folder(lessons_out, lessons_grades, jobs=2)
    seconds = time.perf_counter() - began
    after = tree_digest(*watched)
    left_running = marker_processes()
    print(f"\n{len(results)} submissions graded in {seconds:.1f} s")
    for result in results:
        scores = "; ".join(f"{e} {p}/{m} {f[:50]!r}" for e, (p, m, f) in result.scores.items())
        print(f"{result.handed.student:34} {result.seconds:5.1f} s  {scores}")
    grades_written = sorted(str(p.relative_to(grades)) for p in grades.rglob("*") if p.is_file())
    return (
        expected,
        not_graded,
        out,
        grades,
        before,
        after,
        left_running,
        expected_lessons,
        lessons_grades,
        grades_written,
    )


@pytest.mark.parametrize("batch", ["hostile class", "every lesson"])
def test_every_submission_gets_its_expected_grade(graded, batch):
    expected, _, _, grades, *_, expected_lessons, lessons_grades, _ = graded
    if batch == "every lesson":
        expected, grades = expected_lessons, lessons_grades
    table = {(r["student"], r["file"], r["exercise"]): r for r in rows_of(grades)}
    wrong = []
    for (student, name), points in expected.items():
        for exercise, value in points.items():
            row = table.get((student, name, exercise))
            if row is None:
                wrong.append(f"{student}/{name}/{exercise}: no row")
                continue
            got, maximum, feedback = int(row["points"]), int(row["max"]), row["feedback"]
            if isinstance(value, int):
                ok = got == value == maximum and feedback == ""
            elif value == "fail":
                hints = {case.hint for case in all_cases(EXERCISES[exercise])}
                ok = 0 <= got < maximum and (
                    any(feedback.endswith(h) for h in hints) or "rule broken" in feedback
                )
            else:
                ok = got == 0 and value.removeprefix("0:") in feedback
            if not ok:
                wrong.append(
                    f"{student}/{name}/{exercise}: expected {value!r}, got {got}/{maximum} {feedback!r}"
                )
    assert not wrong, "\n".join(wrong)


def test_every_file_handed_in_is_accounted_for(graded):
    expected, not_graded, out, grades, *_ = graded
    rows = rows_of(grades)
    listed = {(r["student"], r["file"]) for r in rows}
    assert listed == set(expected) | set(not_graded)
    for (student, name), reason in not_graded.items():
        row = next(r for r in rows if (r["student"], r["file"]) == (student, name))
        assert row["feedback"].startswith("not graded:") and reason in row["feedback"], row
    students = sorted(path.name for path in out.iterdir() if path.is_dir())
    assert sorted(p.stem for p in (grades / "feedback").glob("*.md")) == students
    assert "No notebook" in (grades / "feedback" / "nothing-handed-in.md").read_text(
        encoding="utf-8"
    )


def test_nothing_outside_the_sandboxes_changed(graded):
    expected, _, out, _, before, after, left_running, _, _, grades_written = graded
    feedback = {f"feedback/{folder.name}.md" for folder in out.iterdir() if folder.is_dir()}
    assert set(grades_written) - feedback == {"grades.csv"}, grades_written
    changed = sorted(
        path for path in set(before) | set(after) if before.get(path) != after.get(path)
    )
    assert not changed, changed[:20]
    assert not left_running, f"processes of a sandbox outlived its grading: {left_running}"


def test_no_sandbox_means_a_clear_refusal(monkeypatch, capsys):
    from tools import grade

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as stop:
        grade.main([str(ROOT / "notebooks")])
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert "bubblewrap" in message and "TRUST_NOTEBOOKS" in message


def test_the_summary_counts_students_files_and_what_was_not_graded(tmp_path, capsys):
    from tools import grade

    for student, name, data in [("ann", "notes.ipynb", b"not json"), ("bo", "01_softmax.ipynb", b"")]:
        (tmp_path / "in" / student).mkdir(parents=True)
        (tmp_path / "in" / student / name).write_bytes(data)
    (tmp_path / "in" / "cy").mkdir()
    grade.main([str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert "3 students, 2 files: 0 graded, 2 not graded" in capsys.readouterr().out


def test_trusted_notebooks_are_graded_without_the_sandbox_under_the_same_rules(tmp_path):
    """``make grade TRUST_NOTEBOOKS=1``: the notebook runs in a plain process, scored the same way."""
    (tmp_path / "in" / "me").mkdir(parents=True)
    notebook = short(FIRST, my_softmax="def my_softmax(z):\n    return F.softmax(z, dim=-1)\n")
    nbformat.write(notebook, tmp_path / "in" / "me" / f"{FIRST}.ipynb")
    grade_folder(tmp_path / "in", tmp_path / "out", limits=LIMITS, trusted=True)
    rows = {row["exercise"]: row for row in rows_of(tmp_path / "out")}
    assert rows["check_softmax"]["points"] == "0" and "rule broken" in rows["check_softmax"]["feedback"]
    assert rows["check_temperature"]["points"] == rows["check_temperature"]["max"] == "6"


def test_a_file_that_breaks_the_grader_scores_0_with_the_reason_and_the_class_goes_on(
    tmp_path, monkeypatch, capsys
):
    from tools import grade

    for student in ("breaks", "fine"):
        (tmp_path / "in" / student).mkdir(parents=True)
        nbformat.write(short(FIRST), tmp_path / "in" / student / f"{FIRST}.ipynb")

    def grade_file(handed, limits, trusted=False):
        if handed.student == "breaks":
            raise KeyError("cells")
        graded = grade.Graded(handed)
        graded.scores = {name: (points, points, "") for name, points in full(FIRST).items()}
        return graded

    monkeypatch.setattr(grade, "grade_file", grade_file)
    grade_folder(tmp_path / "in", tmp_path / "out", trusted=True)
    rows = {(r["student"], r["exercise"]): r for r in rows_of(tmp_path / "out")}
    for exercise, points in full(FIRST).items():
        assert rows[("fine", exercise)]["points"] == str(points)
        broken = rows[("breaks", exercise)]
        assert (broken["points"], broken["max"]) == ("0", str(points))
        assert broken["feedback"] == "the grader failed on this file (KeyError: 'cells'); ask your teacher"
    assert f"breaks/{FIRST}.ipynb failed: KeyError" in capsys.readouterr().err


def test_code_cells_of_any_json_shape_are_read_as_text():
    from tools.grade import _code_sources

    cells = [{"cell_type": "code", "source": [1, "x = 2"]}, {"cell_type": "code", "source": None},
             {"cell_type": "markdown", "source": "# no"}, "not a cell"]  # fmt: skip
    assert _code_sources({"cells": cells}) == ["1x = 2", "None"]
