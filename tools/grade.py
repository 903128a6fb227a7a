"""``make grade``: score a folder of submitted student notebooks with otter-grader.

    python -m tools.grade SUBMISSIONS [--out DIR] [--jobs 2] [--time-limit SECONDS]

``SUBMISSIONS/<student>/NN_topic.ipynb`` are the notebooks students hand in
(their ``student/`` notebooks). From each lesson's source this writes an
otter autograder (``DIR/autograders/NN_topic.zip``): one otter test file per
exercise, one test case per case of its checker, the visible cases (those
the student's check cell runs) and the hidden ones (``tools/hidden_cases.py``),
one point each. Then ``otter run`` grades every submission, each in its own
process with a private folder, a time limit and the sandbox of
``tools/sandbox``; two at a time by default. Written:

- ``DIR/grades.csv``: student, lesson, exercise, points, max, feedback (the
  hint of the first failing case, or why nothing could be graded);
- ``DIR/feedback/<student>.md``: the same, per student, to hand back.

Only this process writes those files; a submission can change nothing but
its own private folder. Predict-then-run exercises are not graded: their
check cell shows the truth, so the answer handed in proves nothing.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import torch

from softmax_course.exercises import EXERCISES
from tools.export import checker_calls
from tools.hidden_cases import HIDDEN_CASES

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SANDBOX = Path(__file__).resolve().parent / "sandbox"
#: The processor seconds a submission's kernel may use (every lesson cell and the tests),
#: and the wall-clock seconds its whole grading may take (kernel start included, on a
#: loaded machine): an endless loop is stopped by the first, a sleeping one by the second.
TIME_LIMIT = 30.0
WALL_LIMIT = 600.0
COLUMNS = ("student", "lesson", "exercise", "points", "max", "feedback")

OTTER_CONFIG = {"lang": "python", "pdf": False, "logo": False, "print_summary": False}

#: The otter test file of one exercise. It runs in the submission's kernel after
#: its last cell: it calls the student's function by the name the check cell
#: passes, on each case, and compares with the course's reference (by another
#: route than the solution). The cases' arguments are data here; the hints stay
#: with the grader (``tools.grade`` adds them to the feedback).
TEST_FILE = '''"""otter test file written by tools.grade: {exercise} ({function})."""
from otter.test_files import test_case

OK_FORMAT = False
name = {exercise!r}
points = {points}


def _run(env, index):
    import inspect
    import torch
    import softmax_course.exercises as course
    from softmax_course.exercises import EXERCISES

    for owner, attribute in {guarded!r}:
        target = {{"torch": torch, "torch.Tensor": torch.Tensor,
                   "torch.nn.functional": torch.nn.functional}}.get(owner)
        value = getattr(target, attribute, None)
        code = getattr(value, "__code__", None)
        if code is not None and not code.co_filename.startswith({torch_dir!r}):
            raise AssertionError(f"the submission replaced {{owner}}.{{attribute}}")
    if getattr(course.EXERCISES, "__class__", None) is not dict:
        raise AssertionError("the submission replaced the course's exercises")
    exercise = EXERCISES[{exercise!r}]
    for part in (exercise.reference, exercise.compare):
        if not inspect.getsourcefile(part).startswith({package_dir!r}):
            raise AssertionError("the submission replaced the course's checker")
    fn = env.get({function!r})
    if not callable(fn):
        raise AssertionError("no function {function} in the notebook")
    args = tuple(_decode(arg) for arg in CASES[index])
    try:
        got = fn(*(a.clone() if isinstance(a, torch.Tensor) else a for a in args))
    except NotImplementedError:
        raise AssertionError("not written yet") from None
    problem = exercise.compare(got, exercise.reference(*args))
    if problem:
        raise AssertionError(problem)


def _decode(arg):
    import torch

    if isinstance(arg, dict):
        return torch.tensor(arg["values"], dtype=getattr(torch, arg["dtype"]))
    return arg


CASES = {cases!r}
'''

CASE_FUNCTION = '''

@test_case(name={name!r}, points=1, hidden={hidden!r})
def case_{index}(env):
    _run(env, {index})
'''

#: Torch functions the comparisons call: a submission that replaces one fails every case.
GUARDED = [
    ("torch", "isclose"), ("torch", "isnan"), ("torch", "cat"), ("torch", "tensor"),
    ("torch.Tensor", "clone"), ("torch.Tensor", "double"), ("torch.Tensor", "detach"),
    ("torch.nn.functional", "softmax"), ("torch.nn.functional", "cross_entropy"),
    ("torch.nn.functional", "log_softmax"), ("torch.nn.functional", "one_hot"),
]  # fmt: skip


def encode(arg: object) -> object:
    """A case argument as JSON-able data (a tensor as its values and dtype)."""
    if isinstance(arg, torch.Tensor):
        return {"values": arg.tolist(), "dtype": str(arg.dtype).removeprefix("torch.")}
    return arg


def lesson_exercises(lesson: Path) -> dict[str, str]:
    """The graded exercises of a lesson: checker name -> the function its check cell passes."""
    found = {}
    for cell in jupytext.read(lesson).cells:
        if "check" not in cell.metadata.get("tags", []):
            continue
        for call in checker_calls(cell.source):
            if call.func.id in EXERCISES and call.args and isinstance(call.args[0], ast.Name):
                found[call.func.id] = call.args[0].id
    return found


def all_cases(exercise: str) -> list[tuple[str, tuple, bool, str]]:
    """(name, args, hidden, hint) of every case the grader runs, visible ones first."""
    visible = [(c.name, c.args, False, c.hint) for c in EXERCISES[exercise].cases]
    hidden = [(c.name, c.args, True, c.hint) for c in HIDDEN_CASES.get(exercise, ())]
    return visible + hidden


def test_file(exercise: str, function: str) -> str:
    """The otter test file of one exercise (visible and hidden cases)."""
    import softmax_course

    cases = all_cases(exercise)
    text = TEST_FILE.format(
        exercise=exercise,
        function=function,
        points=len(cases),
        guarded=GUARDED,
        torch_dir=str(Path(torch.__file__).resolve().parent),
        package_dir=str(Path(softmax_course.__file__).resolve().parent),
        cases=[[encode(arg) for arg in args] for _, args, _, _ in cases],
    )
    for index, (name, _, hidden, _) in enumerate(cases):
        text += CASE_FUNCTION.format(name=f"{exercise}: {name}", hidden=hidden, index=index)
    return text


def write_autograder(lesson: Path, out_dir: Path) -> Path:
    """``out_dir/NN_topic.zip``: otter's autograder for one lesson (config and test files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{lesson.stem}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("otter_config.json", json.dumps(OTTER_CONFIG))
        for exercise, function in lesson_exercises(lesson).items():
            archive.writestr(f"tests/{exercise}.py", test_file(exercise, function))
    return target


@dataclass
class Graded:
    """One submission's result: the points per exercise, or why it could not be graded."""

    student: str
    lesson: str
    scores: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)


#: The grader's own reasons for failing every case; any other failure's feedback is its hint.
REASONS = ("not written yet", "no function ", "the submission replaced ")
#: A failed case in otter's output: its name, then its indented error lines.
FAILED_CASE = re.compile(
    r"^    (?P<name>.+?) result:\n        ❌ Test case failed\n(?P<detail>(?:        .*\n?)*)", re.M
)


def feedback_for(exercise: str, output: str) -> str:
    """The hint of the first failing case (from the grader's table, not from the submission)."""
    hints = {f"{exercise}: {name}": hint for name, _, _, hint in all_cases(exercise)}
    failure = FAILED_CASE.search(output)
    if failure is None:
        return ""
    lines = failure["detail"].strip().splitlines()
    last = lines[-1].strip() if lines else ""
    reason = last.removeprefix("AssertionError: ")
    if reason.startswith(REASONS):
        return reason.strip()[:120]
    return hints.get(failure["name"], "a case failed")


def grade_one(submission: Path, autograder: Path, exercises: Sequence[str], student: str,
              hidden: Sequence[Path], time_limit: float) -> Graded:  # fmt: skip
    """``otter run`` on one submission of the lesson whose graded ``exercises`` the
    ``autograder`` tests, in a private folder, under the sandbox and time limits."""
    lesson = submission.stem
    graded = Graded(student, lesson)
    private = Path(tempfile.mkdtemp(prefix=f"grade-{student}-{lesson}-"))
    began = time.perf_counter()
    try:
        shutil.copy(submission, private / f"{lesson}.ipynb")
        shutil.copy(autograder, private / "autograder.zip")
        env = {
            **os.environ,
            "PYTHONPATH": str(SANDBOX),
            "SOFTMAX_COURSE_SANDBOX": str(private),
            "SOFTMAX_COURSE_SANDBOX_HIDDEN": os.pathsep.join(map(str, hidden)),
            "SOFTMAX_COURSE_SANDBOX_CPU_SECONDS": str(time_limit),
            "TMPDIR": str(private),
            "IPYTHONDIR": str(private / "ipython"),
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        command = [
            sys.executable, "-c",
            "import sys, otter.run as r; r.main(sys.argv[1], autograder=sys.argv[2], "
            "output_dir=sys.argv[3], no_logo=True)",
            f"{lesson}.ipynb", "autograder.zip", str(private),
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=private, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            output, _ = process.communicate(timeout=WALL_LIMIT)
        except subprocess.TimeoutExpired:
            stop(process)
            output, _ = process.communicate()
            why = f"the grading took longer than {WALL_LIMIT:.0f} s"
        else:
            text = output.decode(errors="replace")
            why = None
            if process.returncode != 0:
                why = "the notebook's kernel died (it crashed, or used more than "
                why += f"{time_limit:.0f} s of processor time)"
                if "DeadKernelError" not in text and "Kernel died" not in text:
                    why = f"otter could not grade the notebook: {text.strip().splitlines()[-1:]}"
        if os.environ.get("SOFTMAX_COURSE_GRADE_DEBUG"):
            print(f"--- {student}/{lesson} {why}:\n{output.decode(errors='replace')[-3000:]}")
            log = private / "sandbox.log"
            print(log.read_text() if log.is_file() else "(no refusals)")
        results = private / "results.json"
        if why is None and results.is_file():
            by_file = _results_by_exercise(private)
            for exercise in exercises:
                total = len(all_cases(exercise))
                points, output = by_file.get(exercise, (0, "no result"))
                points = max(0, min(points, total))
                feedback = "" if points == total else feedback_for(exercise, output)
                if points < total and not feedback:
                    feedback = "a case failed"
                graded.scores[exercise] = (points, total, feedback)
        else:
            why = why or "otter wrote no results"
            for exercise in exercises:
                graded.scores[exercise] = (0, len(all_cases(exercise)), why)
        log = private / "sandbox.log"
        if log.is_file():
            graded.refused = log.read_text(encoding="utf-8", errors="replace").splitlines()
    finally:
        graded.seconds = time.perf_counter() - began
        shutil.rmtree(private, ignore_errors=True)
    return graded


def stop(process: subprocess.Popen) -> None:
    """Kill a grading and the kernel it started (its whole process group where there is one)."""
    if hasattr(os, "killpg"):
        os.killpg(process.pid, signal.SIGKILL)
    else:  # Windows: the kernel is the grading's child and ends with its pipe
        process.kill()


def _results_by_exercise(private: Path) -> dict[str, tuple[int, str]]:
    """Each exercise's points and otter's output for it, from otter's results.json."""
    data = json.loads((private / "results.json").read_text())
    return {
        test["name"]: (int(test.get("score", 0)), test.get("output", ""))
        for test in data.get("tests", [])
        if test.get("name") in EXERCISES
    }


def grade_folder(submissions: Path, out_dir: Path, jobs: int = 2,
                 time_limit: float = TIME_LIMIT) -> list[Graded]:  # fmt: skip
    """Grade ``submissions/<student>/NN_topic.ipynb``; write grades.csv and feedback/."""
    lessons = {lesson.stem: lesson for lesson in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))}
    autograders = {
        name: write_autograder(lesson, out_dir / "autograders") for name, lesson in lessons.items()
    }
    exercises = {name: list(lesson_exercises(lesson)) for name, lesson in lessons.items()}
    work = [
        (path, path.parent.name, path.stem)
        for path in sorted(submissions.glob("*/*.ipynb"))
        if path.stem in lessons
    ]
    hidden = [NOTEBOOKS, ROOT / "tools", ROOT / "tests", ROOT / ".git",
              ROOT / "build", submissions.resolve(), out_dir.resolve()]  # fmt: skip
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(
            pool.map(
                lambda item: grade_one(
                    item[0], autograders[item[2]], exercises[item[2]], item[1], hidden, time_limit
                ),
                work,
            )
        )
    write_table(results, out_dir)
    return results


def write_table(results: Sequence[Graded], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "grades.csv").open("w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(COLUMNS)
        for graded in results:
            for exercise, (points, total, feedback) in graded.scores.items():
                writer.writerow([graded.student, graded.lesson, exercise, points, total, feedback])
    feedback_dir = out_dir / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    by_student: dict[str, list[Graded]] = {}
    for graded in results:
        by_student.setdefault(graded.student, []).append(graded)
    for student, gradeds in by_student.items():
        lines = [f"# Feedback for {student}", ""]
        for graded in gradeds:
            got = sum(p for p, _, _ in graded.scores.values())
            total = sum(t for _, t, _ in graded.scores.values())
            lines += [f"## {graded.lesson}: {got}/{total}", ""]
            for exercise, (points, maximum, feedback) in graded.scores.items():
                note = f" — {feedback}" if feedback else ""
                lines.append(f"- {exercise}: {points}/{maximum}{note}")
            if graded.refused:
                refused = len(graded.refused)
                lines.append(f"- the grader refused {refused} action(s) of the notebook")
            lines.append("")
        (feedback_dir / f"{student}.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.grade")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grades")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of <student>/NN_topic.ipynb")
    began = time.perf_counter()
    results = grade_folder(args.submissions, args.out, args.jobs, args.time_limit)
    seconds = time.perf_counter() - began
    print(f"graded {len(results)} submissions in {seconds:.1f} s: {args.out / 'grades.csv'}, "
          f"{args.out / 'feedback'}/")  # fmt: skip


if __name__ == "__main__":
    main()
