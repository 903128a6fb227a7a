"""A simulated class: 30+ submissions built from the student notebooks, graded in one batch.

Each submission is a student notebook with its stubs replaced (the solution,
another correct solution, known-wrong answers) or left as they are, or a
hostile one (check cells deleted or edited, the function renamed, an endless
loop, a crashing kernel, printed fake ✓ lines, a course checker or a torch
function replaced, solutions and hidden cases read from disk, a network
connection, files written outside its folder). ``tools.grade`` grades the
folder with otter-grader, two at a time; each must get exactly its expected
points, and nothing one submission does may change another's grade or the table.

Every known-wrong answer of ``tests/test_exercises.py`` also runs through the
otter test file of its exercise (in this process, no kernel): it must lose
points on that exercise only.
"""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from otter.test_files import ExceptionTestFile
from test_exercises import CHECKED, SOLUTIONS, WRONG, solution_cells

from conftest import LESSONS, NOTEBOOKS, ROOT, tags
from tools.export import STUDENT_DIR as STUDENT
from tools.grade import all_cases, grade_folder, lesson_exercises
from tools.grade import test_file as otter_test_file

#: The batch's size and wall time, for ``make bench`` (its class-of-200 line).
TIMING = ROOT / "build" / "simulated-class.json"
#: Processor seconds a kernel may use: far above a lesson's run, low enough to stop a loop soon.
CPU_SECONDS = 20.0

#: Another correct answer for each function: not the lesson's solution.
OTHER_CORRECT = {
    "my_softmax": "def my_softmax(z):\n    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\n    return e / e.sum(dim=-1, keepdim=True)\n",
    "softmax_with_temperature": "def softmax_with_temperature(z, T):\n    return torch.softmax(z / T, -1)\n",
}
#: A wrong answer per function, written out as a student would (the first of WRONG's ideas).
WRONG_CODE = {
    "my_softmax": "def my_softmax(z):\n    return z.softmax(dim=0)\n",
    "softmax_with_temperature": "def softmax_with_temperature(z, T):\n    return F.softmax(z * T, dim=-1)\n",
    "my_one_hot": "def my_one_hot(y, num_classes):\n    return F.one_hot(y, num_classes)\n",
    "labels_from_one_hot": "def labels_from_one_hot(y_one_hot):\n    return y_one_hot.argmax(dim=0)\n",
    "my_cross_entropy": "def my_cross_entropy(z, y):\n    return F.nll_loss(F.softmax(z, dim=1), y)\n",
    "logit_gradient": "def logit_gradient(z, y):\n    return F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])\n",
    "my_accuracy": "def my_accuracy(logits, y):\n    return (logits.argmax(dim=1) == y).sum().item()\n",
    "my_stable_softmax": "def my_stable_softmax(z):\n    return torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)\n",
    "my_logsumexp": "def my_logsumexp(z):\n    return z.amax(dim=-1)\n",
    "double_softmax_floor": "def double_softmax_floor(num_classes):\n    return math.log(num_classes)\n",
    "cost_from_probabilities": "def cost_from_probabilities(probs, y):\n    return F.nll_loss(probs, y)\n",
    "my_standardize": "def my_standardize(x_train, x_test):\n    m, s = x_train.mean(0), x_train.std(0)\n    return (x_train - m) / s, (x_test - m) / s\n",
    "my_confusion_matrix": "def my_confusion_matrix(y_true, y_pred, num_classes):\n    m = torch.zeros(num_classes, num_classes, dtype=torch.long)\n    m[y_true, y_pred] += 1\n    return m\n",
}


def solution_code() -> dict[str, str]:
    """Each function's solution cell, by function name."""
    found = {}
    for cells in solution_cells().values():
        for source in cells:
            match = re.match(r"def (\w+)\(", source)
            if match:
                found[match.group(1)] = source
    return found


SOLUTION_CODE = solution_code()


def student_notebook(lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(STUDENT / f"{lesson}.ipynb", as_version=4)


def answer(notebook: nbformat.NotebookNode, function: str, code: str) -> None:
    """Replace the stub cell of ``function`` by ``code``."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and f"def {function}(" in cell.source:
            if "raise NotImplementedError" in cell.source:
                head = cell.source.split(f"def {function}(")[0]
                cell.source = head + code
                return
    raise AssertionError(f"no stub of {function}")


def add_cell(notebook: nbformat.NotebookNode, code: str, at: int | None = None) -> None:
    cell = nbformat.v4.new_code_cell(code)
    notebook.cells.insert(len(notebook.cells) if at is None else at, cell)


def functions(lesson: str) -> dict[str, str]:
    """checker -> function of a lesson's graded exercises."""
    return lesson_exercises(NOTEBOOKS / f"{lesson}.py")


def full(lesson: str) -> dict[str, int]:
    return {exercise: len(all_cases(exercise)) for exercise in functions(lesson)}


def solved(lesson: str, **codes: str) -> nbformat.NotebookNode:
    """The student notebook with every function solved, except those given other code."""
    notebook = student_notebook(lesson)
    for function in functions(lesson).values():
        answer(notebook, function, codes.get(function, SOLUTION_CODE[function]))
    return notebook


def class_of_submissions(out: Path, grades: Path) -> dict[tuple[str, str], dict[str, object]]:
    """Write the class under ``out``; return (student, lesson) -> expected points per exercise.

    An expected value is the points, or "zero with <feedback fragment>".
    """
    expected: dict[tuple[str, str], dict[str, object]] = {}

    def hand_in(student: str, lesson: str, notebook, points: dict[str, object]) -> None:
        folder = out / student
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / f"{lesson}.ipynb")
        expected[(student, lesson)] = points

    first = LESSONS[0].stem  # the softmax lesson, the quickest to run: most hostile ones use it
    for lesson in (path.stem for path in LESSONS):
        hand_in("solution", lesson, solved(lesson), full(lesson))
        wrong = {fn: WRONG_CODE[fn] for fn in functions(lesson).values()}
        hand_in("wrong", lesson, solved(lesson, **wrong), dict.fromkeys(functions(lesson), "fail"))

    # One exercise wrong, the others right: only that one loses points (every known-wrong
    # answer is also graded this way by otter's test files below, without a kernel).
    for exercise, function in functions(first).items():
        points = {**full(first), exercise: "fail"}
        hand_in(f"one-wrong-{function}", first, solved(first, **{function: WRONG_CODE[function]}), points)
    unnormalised = "def my_softmax(z):\n    return torch.exp(z)\n"
    hand_in("unnormalised", first, solved(first, my_softmax=unnormalised), {**full(first), "check_softmax": "fail"})

    grades_csv = grades / "grades.csv"
    hand_in("other-correct", first, solved(first, **OTHER_CORRECT), full(first))
    hand_in("stub", first, student_notebook(first), dict.fromkeys(functions(first), "not written yet"))

    notebook = solved(first)
    notebook.cells = [cell for cell in notebook.cells if "check" not in tags(cell)]
    hand_in("check-deleted", first, notebook, full(first))

    notebook = solved(first, my_softmax=WRONG_CODE["my_softmax"])
    for cell in notebook.cells:
        if "check" in tags(cell) and "check_softmax(" in cell.source:
            cell.source = 'print("✓ check_softmax: all 5 cases pass")'
    hand_in("check-edited", first, notebook, {**full(first), "check_softmax": "fail"})

    notebook = solved(first)
    for cell in notebook.cells:
        cell.source = cell.source.replace("my_softmax", "my_soft_max")
    hand_in("renamed", first, notebook, {**full(first), "check_softmax": "no function my_softmax"})

    notebook = solved(first)
    add_cell(notebook, "while True:\n    pass", at=3)
    hand_in("endless-loop", first, notebook, dict.fromkeys(functions(first), "processor time"))

    notebook = solved(first)
    add_cell(notebook, "import os\nos._exit(3)", at=3)
    hand_in("crash", first, notebook, dict.fromkeys(functions(first), "kernel died"))

    notebook = solved(first, my_softmax=WRONG_CODE["my_softmax"])
    add_cell(notebook, 'print("✓ check_softmax: all 5 cases pass")\nprint("Total Score: 13.000 / 13.000 (100.000%)")')
    hand_in("fake-ticks", first, notebook, {**full(first), "check_softmax": "fail"})

    notebook = solved(first, my_softmax=WRONG_CODE["my_softmax"])
    add_cell(notebook, "def check_softmax(fn):\n    print('✓ check_softmax: all 5 cases pass')\n\ncheck_softmax(my_softmax)")
    hand_in("checker-replaced", first, notebook, {**full(first), "check_softmax": "fail"})

    notebook = solved(first, my_softmax=WRONG_CODE["my_softmax"])
    add_cell(notebook, "torch.isclose = lambda a, b, **kw: torch.ones_like(a, dtype=torch.bool)")
    hand_in("torch-replaced", first, notebook, dict.fromkeys(functions(first), "replaced torch.isclose"))

    notebook = student_notebook(first)
    add_cell(notebook, (
        "import os, pathlib, softmax_course\n"
        "repo = pathlib.Path(softmax_course.__path__[0]).resolve().parent.parent  # src/..\n"
        "for name in ['notebooks/01_softmax.py', 'tools/hidden_cases.py']:\n"
        "    try:\n"
        "        exec(compile((repo / name).read_text(), name, 'exec'))\n"
        "    except PermissionError as error:\n"
        "        print(error)\n"
        "private = pathlib.Path(os.environ['SOFTMAX_COURSE_SANDBOX'])\n"
        "for path in [pathlib.Path('tests/check_softmax.py'), private / 'autograder.zip']:\n"
        "    try:\n"
        "        print(path, len(path.read_bytes()))\n"
        "    except PermissionError as error:\n"
        "        print(error)\n"
    ))  # fmt: skip
    hand_in("reads-solutions", first, notebook, dict.fromkeys(functions(first), "not written yet"))

    notebook = solved(first)
    add_cell(notebook, "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=2)", at=3)
    hand_in("network", first, notebook, full(first))

    notebook = solved(first)
    add_cell(notebook, (
        "import pathlib\n"
        f"pathlib.Path({str(grades_csv)!r}).parent.mkdir(parents=True, exist_ok=True)\n"
        f"pathlib.Path({str(grades_csv)!r}).write_text('student,lesson\\nsolution,0\\n')\n"
    ), at=3)  # fmt: skip
    add_cell(notebook, (
        "import pathlib\n"
        f"for path in pathlib.Path({str(out)!r}).glob('*/*.ipynb'):\n"
        "    path.write_text('{}')\n"
    ), at=3)  # fmt: skip
    hand_in("writes-outside", first, notebook, full(first))
    return expected


@pytest.fixture(scope="module")
def handed_in(tmp_path_factory):
    """The class's submissions (written, not yet graded), their folder and the grades' folder."""
    out = tmp_path_factory.mktemp("submissions")
    grades = tmp_path_factory.mktemp("grades")
    return class_of_submissions(out, grades), out, grades


@pytest.fixture(scope="module")
def graded(handed_in):
    expected, out, grades = handed_in
    began = time.perf_counter()
    results = grade_folder(out, grades, jobs=2, time_limit=CPU_SECONDS)
    seconds = time.perf_counter() - began
    TIMING.parent.mkdir(parents=True, exist_ok=True)
    TIMING.write_text(json.dumps({"submissions": len(results), "seconds": seconds}), encoding="utf-8")
    print(f"\n{len(results)} submissions graded in {seconds:.1f} s on 2 workers "
          f"({seconds / len(results):.2f} s per submission)")  # fmt: skip
    for result in results:  # the score table, for `pytest -s`
        scores = "; ".join(f"{e} {p}/{m} {f[:40]!r}" for e, (p, m, f) in result.scores.items())
        print(f"{result.student:28} {result.lesson:24} {result.seconds:5.1f} s  {scores}")
    return expected, results, grades


def test_the_class_is_large_and_covers_every_exercise(handed_in):
    expected, _, _ = handed_in
    assert len(expected) >= 30
    outcomes: dict[str, set[str]] = {}
    for points in expected.values():
        for exercise, value in points.items():
            outcomes.setdefault(exercise, set()).add("right" if isinstance(value, int) else "wrong")
    assert set(outcomes) == set(CHECKED)
    assert all(kinds == {"right", "wrong"} for kinds in outcomes.values()), outcomes


def test_every_submission_gets_its_expected_score(graded):
    expected, results, grades = graded
    rows = list(csv.DictReader((grades / "grades.csv").open(encoding="utf-8")))
    table = {(r["student"], r["lesson"], r["exercise"]): r for r in rows}
    wrong = []
    for (student, lesson), points in expected.items():
        for exercise, value in points.items():
            row = table.get((student, lesson, exercise))
            if row is None:
                wrong.append(f"{student}/{lesson}/{exercise}: no row in grades.csv")
                continue
            got, maximum = int(row["points"]), int(row["max"])
            if isinstance(value, int):
                ok = got == value == maximum and row["feedback"] == ""
            elif value == "fail":
                ok = 0 <= got < maximum and row["feedback"] in {c[3] for c in all_cases(exercise)}
            else:
                ok = got == 0 and value in row["feedback"]
            if not ok:
                wrong.append(f"{student}/{lesson}/{exercise}: expected {value!r}, got {got}/{maximum} {row['feedback']!r}")
    assert not wrong, "\n".join(wrong)
    assert len(rows) == sum(len(points) for points in expected.values())


def test_no_submission_reached_outside_its_folder(graded):
    expected, results, grades = graded
    refused = {(r.student, r.lesson): r.refused for r in results}
    assert any("192.0.2.1" in line for line in refused[("network", LESSONS[0].stem)])
    assert any("writing" in line for line in refused[("writes-outside", LESSONS[0].stem)])
    reads = refused[("reads-solutions", LESSONS[0].stem)]
    assert any("01_softmax.py" in line for line in reads) and any("hidden_cases" in line for line in reads)
    # the autograder's own test files hold the hidden cases too: only otter's code may read them
    assert any("check_softmax.py" in line for line in reads), reads
    assert any("autograder.zip" in line for line in reads), reads
    header = (grades / "grades.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "student,lesson,exercise,points,max,feedback"
    feedback = sorted(path.stem for path in (grades / "feedback").glob("*.md"))
    assert feedback == sorted({student for student, _ in expected})
    text = (grades / "feedback" / "stub.md").read_text(encoding="utf-8")
    assert "not written yet" in text


@pytest.fixture(scope="module")
def otter_tests(tmp_path_factory) -> dict[str, ExceptionTestFile]:
    """The otter test file of every exercise, as make grade writes it, loaded once."""
    folder = tmp_path_factory.mktemp("otter-tests")
    loaded = {}
    for exercise, function in CHECKED.items():
        path = folder / f"{exercise}.py"
        path.write_text(otter_test_file(exercise, function), encoding="utf-8")
        loaded[exercise] = ExceptionTestFile.from_file(str(path))
    return loaded


def passes(tests: ExceptionTestFile, env: dict) -> list[bool]:
    tests.run(env)
    return [result.passed for result in tests.test_case_results]


@pytest.mark.parametrize("checker_name", CHECKED)
def test_the_solution_passes_its_otter_tests(otter_tests, checker_name):
    function = CHECKED[checker_name]
    assert all(passes(otter_tests[checker_name], {function: SOLUTIONS[function]}))


@pytest.mark.parametrize(
    ("checker_name", "what", "wrong"),
    [(name, what, fn) for name, answers in WRONG.items() for what, fn in answers],
    ids=[f"{name}-{what}" for name, answers in WRONG.items() for what, _ in answers],
)
def test_a_known_wrong_answer_loses_points_on_its_exercise_only(otter_tests, checker_name, what, wrong):
    """One submission with this wrong answer and every other exercise solved: as otter grades it."""
    env = {function: SOLUTIONS[function] for function in CHECKED.values()}
    env[CHECKED[checker_name]] = wrong
    results = {name: passes(tests, env) for name, tests in otter_tests.items()}
    assert not all(results[checker_name]), f"{what} passes every case of {checker_name}"
    assert all(all(passed) for name, passed in results.items() if name != checker_name)
