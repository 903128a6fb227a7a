"""``make grade``: score a class's handed-in notebooks, trusting nothing a submission wrote.

    python -m tools.grade SUBMISSIONS [--out DIR] [--jobs 2] [--cpu-seconds 60] [--trust-notebooks]

``SUBMISSIONS/<student>/`` holds what each student handed in. Every
``*.ipynb`` under a student's folder is matched to its lesson (by a forgiving
file-name rule, or the lesson its metadata names) and graded, or listed as not
graded with the reason. A graded notebook is

1. read here, as data: its code is checked against each exercise's rules
   ("no `F.softmax`", "no autograd") on its syntax tree;
2. run in the operating system's sandbox (``tools/sandbox.py``: bubblewrap,
   its own user, namespaces, limits), where its functions are called on every
   case's arguments, the visible ones and the hidden ones
   (``tools/hidden_cases.py``); only the arguments go in, never an expected value;
3. scored here: what came back is decoded as plain data
   (:mod:`softmax_course.exercises.wire`) and compared with the exercise's
   reference, computed in this process. One point per case.

Written, by this process only: ``DIR/grades.csv`` (student, file, lesson,
exercise, points, max, feedback: one row per exercise graded, one per file not
graded) and ``DIR/feedback/<student>.md`` for every student's folder.
Predict-then-run exercises are not graded: their check cell shows the truth.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import torch

from softmax_course.exercises import LESSON_EXERCISES
from softmax_course.exercises.rules import broken_rule
from softmax_course.exercises.runner import Case, Exercise
from softmax_course.exercises.wire import WireError, decode, encode
from softmax_course.workspace import write_atomically
from tools import LESSONS, ROOT, sandbox
from tools.hidden_cases import HIDDEN_CASES

RUNNER = Path(__file__).resolve().parent / "run_submission.py"
#: This environment's Python, by an absolute path without parent steps (the sandbox has
#: none of the folders such a step would climb through).
PYTHON = os.path.abspath(sys.executable)
COLUMNS = ("student", "file", "lesson", "exercise", "points", "max", "feedback")
#: A notebook larger than this is not graded (the lessons' student notebooks are < 100 kB).
MAX_NOTEBOOK_BYTES = 5 * 2**20


@dataclass(frozen=True)
class Handed:
    """One file a student handed in: its lesson, or why it is not graded."""

    student: str
    path: Path
    lesson: str | None
    reason: str = ""


@dataclass
class Graded:
    """One graded file: points, maximum and feedback per exercise."""

    handed: Handed
    scores: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    seconds: float = 0.0


def lesson_names() -> list[str]:
    """The lessons, by file stem (``01_softmax``), in order."""
    return [path.stem for path in LESSONS]


def exercises_of(lesson: str) -> list[Exercise]:
    """The graded exercises of a lesson, in declaration order."""
    return LESSON_EXERCISES.get(lesson.split("_", 1)[1], [])


def all_cases(exercise: Exercise) -> list[Case]:
    """Every case the grader runs: the visible ones, then the hidden ones."""
    return [*exercise.cases, *HIDDEN_CASES.get(exercise.name, ())]


# --- which lesson a file is ----------------------------------------------------------------


def _normalised(stem: str) -> str:
    """A file name as a student's browser or JupyterLab may have changed it, undone."""
    stem = stem.strip().lower()
    stem = re.sub(r"\s*\(\d+\)$", "", stem)  # "01_softmax (1)": a second download
    stem = re.sub(r"[-_ ]copy\d*$", "", stem)  # "01_softmax-Copy1": JupyterLab's duplicate
    return re.sub(r"[\s\-.]+", "_", stem).strip("_")


def lesson_of(path: Path, metadata: dict, lessons: Sequence[str]) -> str | None:
    """The lesson a handed-in file is: by its name, else by the lesson its metadata names."""
    stem = _normalised(path.stem)
    if stem in lessons:
        return stem
    number = re.match(r"(\d{1,2})(?:_|$)", stem)
    if number:
        same_number = [lesson for lesson in lessons if int(lesson[:2]) == int(number[1])]
        topic = stem[number.end() :]
        if len(same_number) == 1 and (not topic or same_number[0].endswith(topic)):
            return same_number[0]
    named = metadata.get("softmax_course", {}) if isinstance(metadata, dict) else {}
    lesson = named.get("lesson") if isinstance(named, dict) else None
    return lesson if lesson in lessons else None


def _read_notebook(path: Path) -> tuple[dict | None, str]:
    """The notebook's JSON, or why it cannot be graded."""
    if path.is_symlink():
        return None, "a symbolic link, not a file"
    size = path.stat().st_size
    if size == 0:
        return None, "empty file"
    if size > MAX_NOTEBOOK_BYTES:
        return (
            None,
            f"too large ({size / 2**20:.1f} MB; the limit is {MAX_NOTEBOOK_BYTES // 2**20} MB)",
        )
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, "not a notebook (not JSON)"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook (no cells)"
    if not data["cells"]:
        return None, "empty notebook (no cells)"
    return data, ""


def find_handed(submissions: Path, lessons: Sequence[str]) -> tuple[list[str], list[Handed]]:
    """Every student folder, and every ``*.ipynb`` under it or beside them, with its lesson."""
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.is_symlink())
    handed: list[Handed] = []
    for path in sorted(submissions.rglob("*.ipynb")):
        relative = path.relative_to(submissions)
        student = relative.parts[0] if len(relative.parts) > 1 else ""
        if not student:
            handed.append(Handed("", path, None, "not inside a student's folder"))
        elif student not in students:
            continue  # under a symbolic link to a folder: rglob does not follow it
        elif ".ipynb_checkpoints" in relative.parts:
            handed.append(
                Handed(student, path, None, "a checkpoint JupyterLab saved, not handed in")
            )
        else:
            data, reason = _read_notebook(path)
            lesson = lesson_of(path, data.get("metadata", {}), lessons) if data else None
            if data and lesson is None:
                reason = "not a lesson of the course (no lesson matches its name or metadata)"
            handed.append(Handed(student, path, lesson, reason))
    for student in students:
        folder = submissions / student
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() and path.suffix != ".ipynb":
                handed.append(Handed(student, path, None, "a symbolic link, not a file"))
    by_lesson: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(handed):
        if item.lesson and not item.reason:
            by_lesson.setdefault((item.student, item.lesson), []).append(index)
    for (_, lesson), indices in by_lesson.items():
        if len(indices) > 1:
            names = ", ".join(handed[i].path.name for i in indices)
            for i in indices:
                handed[i] = Handed(
                    handed[i].student,
                    handed[i].path,
                    lesson,
                    f"two or more files for lesson {lesson} ({names}): keep one",
                )
    return students, handed


# --- one file ------------------------------------------------------------------------------


def _code_sources(notebook: dict) -> list[str]:
    sources = []
    for cell in notebook["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            parts = source if isinstance(source, list) else [source]
            sources.append("".join(str(part) for part in parts))
    return sources


_uids = count()
_uid_lock = threading.Lock()


def _next_uid() -> int:  # pragma: no mutate block
    with _uid_lock:
        return sandbox.FIRST_UID + next(_uids) % 1000


def run_in_sandbox(
    notebook: dict, tasks: list[dict], limits: sandbox.Limits, trusted: bool = False
) -> tuple[object, str]:  # pragma: no mutate block
    """Run the notebook and its functions on the tasks' arguments; its answers as JSON data.

    Returns (answers, problem): the decoded JSON the submission sent back, or None
    and why nothing usable came back.
    """
    private = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        private.chmod(0o755)
        (private / "submission.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        (private / "inputs.json").write_text(json.dumps(tasks), encoding="utf-8")
        shutil.copy(RUNNER, private / RUNNER.name)
        for path in private.iterdir():
            path.chmod(0o644)
        if trusted:
            work = private / "work"
            work.mkdir()
            argv = [PYTHON, str(private / RUNNER.name), "{fd}", str(private), str(work)]
            command, cwd = argv, work
        else:
            argv = [
                PYTHON,
                f"{sandbox.GRADER_DIR}/{RUNNER.name}",
                "{fd}",
                sandbox.GRADER_DIR,
                sandbox.WORK_DIR,
            ]
            command, cwd = sandbox.command(private, argv, limits, _next_uid()), private
        return _run(command, cwd, private / "log", limits)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _run(
    command: list[str], cwd: Path, log: Path, limits: sandbox.Limits
) -> tuple[object, str]:  # pragma: no mutate block
    """Start ``command`` (its ``{fd}`` is the answers pipe) under the limits; read its answers."""
    read_end, write_end = os.pipe()
    command = [arg.replace("{fd}", str(write_end)) for arg in command]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            preexec_fn=lambda: sandbox.apply_limits(limits),
            pass_fds=(write_end,),
            start_new_session=True,
        )
    os.close(write_end)
    received = bytearray()
    overflow = threading.Event()

    def read_answers() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            while chunk := pipe.read(65536):
                if len(received) + len(chunk) > limits.answer_bytes:
                    overflow.set()
                    return
                received.extend(chunk)

    reader = threading.Thread(target=read_answers, daemon=True)
    reader.start()
    try:
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _stop(process)
        process.wait()
        return None, f"stopped after {limits.wall_seconds:.0f} s of wall time (the limit)"
    finally:
        _stop(process)
    reader.join(timeout=10)
    if os.environ.get("SOFTMAX_COURSE_GRADE_DEBUG"):
        print(log.read_bytes()[-3000:].decode(errors="replace"), file=sys.stderr)
    if overflow.is_set():
        return None, f"its answers exceed {limits.answer_bytes // 2**20} MB"
    if not received:
        return (
            None,
            "its kernel stopped before the functions could be called (an error, or a limit)",
        )
    try:
        return json.loads(received), ""
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None, "its answers are not readable"


def _stop(process: subprocess.Popen) -> None:  # pragma: no mutate block
    """Kill the sandbox's first process: the kernel then ends every process of its namespace."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def score(exercise: Exercise, answer: object) -> tuple[int, int, str]:
    """Points, maximum and feedback of one exercise from what the sandbox sent back."""
    cases = all_cases(exercise)
    total = len(cases)
    if not isinstance(answer, dict):
        return 0, total, "no answer came back"
    if answer.get("missing"):
        return 0, total, f"no function {exercise.function} in the notebook"
    results = answer.get("results")
    if not isinstance(results, list):
        return 0, total, "no answer came back"
    points, feedback = 0, ""
    for index, case in enumerate(cases):
        result = results[index] if index < len(results) else None
        problem = _problem(exercise, case, result)
        if problem == "not written":
            return 0, total, "not written yet"
        if problem is None:
            points += 1
        elif not feedback:
            feedback = f"a case failed ({problem}). Hint: {case.hint}"
    return points, total, feedback


def _problem(exercise: Exercise, case: Case, result: object) -> str | None:
    if not isinstance(result, dict):
        return "no answer"
    if result.get("not_written"):
        return "not written"
    if "error" in result:
        return f"raised {str(result['error'])[:60]}"
    if "value" not in result:
        return "no answer"
    try:
        got = decode(result["value"])
    except WireError as error:
        return f"the answer could not be read: {error}"
    return exercise.problem(case.args, got)


def grade_file(handed: Handed, limits: sandbox.Limits, trusted: bool = False) -> Graded:
    """Grade one matched file: rules here, the run in the sandbox, the scoring here."""
    began = time.perf_counter()
    graded = Graded(handed)
    notebook, _ = _read_notebook(handed.path)
    assert notebook is not None and handed.lesson is not None
    exercises = exercises_of(handed.lesson)
    sources = _code_sources(notebook)
    broken = {ex.name: broken_rule(ex.rules, sources, ex.function) for ex in exercises}
    tasks = [
        {
            "exercise": ex.name,
            "function": ex.function,
            "cases": [[encode(arg) for arg in case.args] for case in all_cases(ex)],
        }
        for ex in exercises
        if broken[ex.name] is None
    ]
    answers, problem = run_in_sandbox(notebook, tasks, limits, trusted) if tasks else ({}, "")
    for exercise in exercises:
        total = len(all_cases(exercise))
        if broken[exercise.name] is not None:
            graded.scores[exercise.name] = (0, total, f"rule broken: {broken[exercise.name]}")
        elif problem:
            graded.scores[exercise.name] = (0, total, problem)
        else:
            answer = answers.get(exercise.name) if isinstance(answers, dict) else None
            graded.scores[exercise.name] = score(exercise, answer)
    graded.seconds = time.perf_counter() - began
    return graded


def grade_safely(handed: Handed, limits: sandbox.Limits, trusted: bool = False) -> Graded:
    """``grade_file``; a file that breaks the grader itself scores 0 with the reason, and the
    class goes on (one file never stops a class's grading)."""
    try:
        return grade_file(handed, limits, trusted)
    except Exception as error:  # noqa: BLE001 - any failure is reported in the file's rows
        why = f"the grader failed on this file ({type(error).__name__}: {error}); ask your teacher"
        print(f"grading {handed.path} failed: {type(error).__name__}: {error}", file=sys.stderr)
        graded = Graded(handed)
        for exercise in exercises_of(handed.lesson):
            graded.scores[exercise.name] = (0, len(all_cases(exercise)), why)
        return graded


# --- the class -----------------------------------------------------------------------------


def grade_folder(
    submissions: Path,
    out_dir: Path,
    jobs: int = 2,
    limits: sandbox.Limits | None = None,
    trusted: bool = False,
) -> list[Graded]:
    """Grade every file under ``submissions``; write grades.csv and feedback/."""
    limits = limits or sandbox.Limits()
    if not trusted:
        sandbox.check_available()
    torch.set_num_threads(1)
    students, handed = find_handed(submissions, lesson_names())
    to_grade = [item for item in handed if not item.reason]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda item: grade_safely(item, limits, trusted), to_grade))
    write_table(students, handed, results, submissions, out_dir)
    return results


def write_table(
    students: Sequence[str],
    handed: Sequence[Handed],
    results: Sequence[Graded],
    submissions: Path,
    out_dir: Path,
) -> None:
    """grades.csv and one feedback file per student folder, each written whole, then renamed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    graded_by_path = {graded.handed.path: graded for graded in results}
    rows = []
    for item in handed:
        name = str(
            item.path.relative_to(submissions / item.student if item.student else submissions)
        )
        graded = graded_by_path.get(item.path)
        if graded is None:
            rows.append(
                [item.student, name, item.lesson or "", "", "", "", f"not graded: {item.reason}"]
            )
            continue
        for exercise, (points, total, feedback) in graded.scores.items():
            rows.append([item.student, name, item.lesson, exercise, points, total, feedback])
    write_atomically(out_dir / "grades.csv", _csv_text(rows))
    feedback_dir = out_dir / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    for student in students:
        lines = [f"# Feedback for {student}", ""]
        mine = [item for item in handed if item.student == student]
        if not mine:
            lines += ["No notebook (*.ipynb) was found in your folder.", ""]
        for item in mine:
            name = item.path.relative_to(submissions / student)
            graded = graded_by_path.get(item.path)
            if graded is None:
                lines += [f"## {name}: not graded", "", f"- {item.reason}", ""]
                continue
            got = sum(points for points, _, _ in graded.scores.values())
            total = sum(maximum for _, maximum, _ in graded.scores.values())
            lines += [f"## {name} ({item.lesson}): {got}/{total}", ""]
            for exercise, (points, maximum, feedback) in graded.scores.items():
                lines.append(
                    f"- {exercise}: {points}/{maximum}" + (f" — {feedback}" if feedback else "")
                )
            lines.append("")
        write_atomically(feedback_dir / f"{student}.md", "\n".join(lines))


def _csv_text(rows: list[list]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def summary(students: int, handed: Sequence[Handed], results: Sequence[Graded]) -> str:
    not_graded = len(handed) - len(results)
    return (
        f"{students} students, {len(handed)} files: {len(results)} graded, {not_graded} not graded"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.grade", description=__doc__.split("\n")[0]
    )
    parser.add_argument("submissions", type=Path, help="a folder of <student>/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grades")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cpu-seconds", type=int, default=sandbox.Limits.cpu_seconds)
    parser.add_argument(
        "--trust-notebooks",
        action="store_true",
        help="run the notebooks WITHOUT the sandbox (only for notebooks you trust: your own)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of <student>/*.ipynb")
    try:
        if not args.trust_notebooks:
            sandbox.check_available()
    except sandbox.SandboxUnavailable as error:
        parser.exit(
            2,
            f"make grade: no sandbox here: {error}\n"
            "(Only for notebooks you trust: make grade TRUST_NOTEBOOKS=1.)\n",
        )
    began = time.perf_counter()
    limits = sandbox.Limits(cpu_seconds=args.cpu_seconds)
    students, handed = find_handed(args.submissions, lesson_names())
    results = grade_folder(args.submissions, args.out, args.jobs, limits, args.trust_notebooks)
    print(
        f"{summary(len(students), handed, results)} in {time.perf_counter() - began:.1f} s: "
        f"{args.out / 'grades.csv'}, {args.out / 'feedback'}/"
    )


if __name__ == "__main__":
    main()
