"""The grader's own logic, in this process: which lesson a file is, what is graded, the scores,
the table and the feedback, the command line.

No sandbox and no kernel: the one function that starts the sandbox
(``run_in_sandbox``) is replaced by one that answers as the sandbox would, so that
what ``grade_file``, ``grade_folder`` and ``main`` do with its answers is checked
here in milliseconds. The sandbox itself, and a whole class of real and hostile
notebooks, are ``tests/test_class.py``'s.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import torch

from softmax_course.exercises import EXERCISES, LESSON_EXERCISES
from softmax_course.exercises.wire import encode
from tools import grade, sandbox
from tools.grade import (
    COLUMNS,
    MAX_NOTEBOOK_BYTES,
    Graded,
    Handed,
    all_cases,
    exercises_of,
    find_handed,
    lesson_names,
    lesson_of,
    score,
    summary,
    write_table,
)

LESSONS = lesson_names()
SOFTMAX = EXERCISES["check_softmax"]
TEMPERATURE = EXERCISES["check_temperature"]


def notebook(*cells: str, metadata: dict | None = None) -> dict:
    return {
        "cells": [{"cell_type": "code", "source": source} for source in cells],
        "metadata": metadata or {},
    }


def write(path: Path, content: dict | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


# --- which lesson a file is ---------------------------------------------------------------


def test_the_lessons_and_their_exercises():
    assert LESSONS[0] == "01_softmax" and LESSONS[-1] == "10_calibration"
    assert exercises_of("01_softmax") == LESSON_EXERCISES["softmax"] == [SOFTMAX, TEMPERATURE]
    assert exercises_of("10_calibration") == LESSON_EXERCISES["calibration"]
    assert exercises_of("03_cross_entropy") == LESSON_EXERCISES["cross_entropy"]
    assert exercises_of("99_no_such_topic") == []


@pytest.mark.parametrize(
    ("name", "lesson"),
    [
        ("01_softmax", "01_softmax"),
        (" 01_Softmax ", "01_softmax"),
        ("01_softmax (1)", "01_softmax"),  # a second download
        ("01_softmax(12)", "01_softmax"),
        ("01_softmax-Copy1", "01_softmax"),  # JupyterLab's duplicate
        ("01_softmax_copy", "01_softmax"),
        ("01_softmax Copy", "01_softmax"),
        ("03 cross-entropy", "03_cross_entropy"),
        ("03.cross..entropy", "03_cross_entropy"),
        ("_02_one_hot_", "02_one_hot"),
        ("1_softmax", "01_softmax"),  # by its number, the topic agreeing
        ("01", "01_softmax"),
        ("10", "10_calibration"),
        ("1-max", "01_softmax"),
        ("01_cross_entropy", None),  # the number and the topic disagree
        ("100_softmax", None),
        ("softmax", None),
        ("01softmax", None),
        ("notes", None),
    ],
)
def test_a_file_s_lesson_by_its_name(name, lesson):
    assert lesson_of(Path(f"{name}.ipynb"), {}, LESSONS) == lesson


def test_a_file_s_lesson_by_its_metadata():
    named = {"softmax_course": {"lesson": "03_cross_entropy"}}
    assert lesson_of(Path("notes.ipynb"), named, LESSONS) == "03_cross_entropy"
    assert lesson_of(Path("01_softmax.ipynb"), named, LESSONS) == "01_softmax"  # the name first
    assert lesson_of(Path("notes.ipynb"), {"softmax_course": {"lesson": "99_x"}}, LESSONS) is None
    assert lesson_of(Path("notes.ipynb"), {"softmax_course": "03_cross_entropy"}, LESSONS) is None
    assert lesson_of(Path("notes.ipynb"), ["softmax_course"], LESSONS) is None  # type: ignore[arg-type]


def test_a_number_two_lessons_share_names_neither():
    lessons = ["01_softmax", "01_temperature", "02_one_hot"]
    assert lesson_of(Path("01.ipynb"), {}, lessons) is None
    assert lesson_of(Path("01_temperature.ipynb"), {}, lessons) == "01_temperature"
    assert lesson_of(Path("2.ipynb"), {}, lessons) == "02_one_hot"


def test_what_cannot_be_read_as_a_notebook_is_named(tmp_path):
    read = grade._read_notebook
    good = notebook("x = 1")
    assert read(write(tmp_path / "good.ipynb", good)) == (good, "")
    assert read(write(tmp_path / "empty.ipynb", b"")) == (None, "empty file")
    assert read(write(tmp_path / "text.ipynb", b"{not json")) == (None, "not a notebook (not JSON)")
    assert read(write(tmp_path / "bytes.ipynb", b'"\xff"')) == (None, "not a notebook (not JSON)")
    assert read(write(tmp_path / "list.ipynb", b"[1]")) == (None, "not a notebook (no cells)")
    no_cells, empty = "not a notebook (no cells)", "empty notebook (no cells)"
    assert read(write(tmp_path / "nocells.ipynb", {"cells": 3})) == (None, no_cells)
    assert read(write(tmp_path / "none.ipynb", {"cells": []})) == (None, empty)
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "good.ipynb")
    assert read(tmp_path / "link.ipynb") == (None, "a symbolic link, not a file")


def test_a_notebook_over_the_size_limit_is_not_read(tmp_path):
    at_limit, over = tmp_path / "at.ipynb", tmp_path / "over.ipynb"
    for path, size in ((at_limit, MAX_NOTEBOOK_BYTES), (over, MAX_NOTEBOOK_BYTES + 1)):
        with path.open("wb") as file:
            file.truncate(size)  # a sparse file of zero bytes
    assert grade._read_notebook(at_limit) == (None, "not a notebook (not JSON)")
    assert grade._read_notebook(over) == (None, "too large (5.0 MB; the limit is 5 MB)")


def test_every_file_handed_in_is_graded_or_given_a_reason(tmp_path):
    sub = tmp_path / "submissions"
    good = notebook("x = 1")
    write(sub / "alice" / "01_softmax.ipynb", good)
    write(sub / "alice" / "week2" / "02 One-Hot.ipynb", good)
    write(sub / "alice" / ".ipynb_checkpoints" / "01_softmax-checkpoint.ipynb", good)
    write(sub / "alice" / "notes.ipynb", good)
    named = {"softmax_course": {"lesson": "03_cross_entropy"}}
    write(sub / "alice" / "named.ipynb", {"cells": [{}], "metadata": named})
    write(sub / "alice" / "broken.ipynb", b"{")
    (sub / "alice" / "link.txt").symlink_to(sub / "alice" / "notes.ipynb")
    (sub / "alice" / "link.ipynb").symlink_to(sub / "alice" / "notes.ipynb")
    write(sub / "bob" / "01_softmax.ipynb", good)
    write(sub / "bob" / "01_softmax (1).ipynb", good)
    write(sub / "bob" / "02_one_hot.ipynb", good)
    (sub / "dave").mkdir()
    write(tmp_path / "elsewhere" / "01_softmax.ipynb", good)
    (sub / "carol").symlink_to(tmp_path / "elsewhere")
    write(sub / "stray.ipynb", good)
    (sub / "readme.txt").write_text("hand in under your name\n")

    students, handed = find_handed(sub, LESSONS)

    assert students == ["alice", "bob", "dave"]
    twice = (
        "two or more files for lesson 01_softmax (01_softmax (1).ipynb, 01_softmax.ipynb): keep one"
    )
    not_lesson = "not a lesson of the course (no lesson matches its name or metadata)"
    checkpoint = "a checkpoint JupyterLab saved, not handed in"
    link = "a symbolic link, not a file"
    assert [(h.student, str(h.path.relative_to(sub)), h.lesson, h.reason) for h in handed] == [
        ("alice", "alice/.ipynb_checkpoints/01_softmax-checkpoint.ipynb", None, checkpoint),
        ("alice", "alice/01_softmax.ipynb", "01_softmax", ""),
        ("alice", "alice/broken.ipynb", None, "not a notebook (not JSON)"),
        ("alice", "alice/link.ipynb", None, link),
        ("alice", "alice/named.ipynb", "03_cross_entropy", ""),
        ("alice", "alice/notes.ipynb", None, not_lesson),
        ("alice", "alice/week2/02 One-Hot.ipynb", "02_one_hot", ""),
        ("bob", "bob/01_softmax (1).ipynb", "01_softmax", twice),
        ("bob", "bob/01_softmax.ipynb", "01_softmax", twice),
        ("bob", "bob/02_one_hot.ipynb", "02_one_hot", ""),
        ("", "stray.ipynb", None, "not inside a student's folder"),
        ("alice", "alice/link.txt", None, link),
    ]


def test_two_files_of_one_lesson_by_two_students_are_both_graded(tmp_path):
    sub = tmp_path / "submissions"
    write(sub / "alice" / "01_softmax.ipynb", notebook("x = 1"))
    write(sub / "bob" / "01_softmax.ipynb", notebook("x = 1"))
    _, handed = find_handed(sub, LESSONS)
    assert [(h.student, h.lesson, h.reason) for h in handed] == [
        ("alice", "01_softmax", ""),
        ("bob", "01_softmax", ""),
    ]


# --- the score of one exercise ------------------------------------------------------------


def right_results(exercise) -> list[dict]:
    """What the sandbox sends back when every case is answered by the reference itself."""
    return [{"value": encode(exercise.reference(*case.args))} for case in all_cases(exercise)]


def test_every_right_answer_scores_a_point():
    total = len(all_cases(SOFTMAX))
    assert total == len(SOFTMAX.cases) + 2
    assert score(SOFTMAX, {"results": right_results(SOFTMAX)}) == (total, total, "")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (None, "no answer came back"),
        ([], "no answer came back"),
        ({}, "no answer came back"),
        ({"results": "all right"}, "no answer came back"),
        ({"missing": True, "results": []}, "no function my_softmax in the notebook"),
    ],
)
def test_no_usable_answer_scores_nothing(answer, feedback):
    total = len(all_cases(SOFTMAX))
    assert score(SOFTMAX, answer) == (0, total, feedback)


def test_a_stub_scores_nothing_even_after_right_answers():
    results = right_results(SOFTMAX)
    results[3] = {"not_written": True}
    assert score(SOFTMAX, {"results": results}) == (0, len(results), "not written yet")


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        ("a string", "no answer"),
        ({}, "no answer"),
        ({"value": None}, "the answer could not be read: not an encoded value"),
        ({"value": {"plain": 1.5}}, "the answer could not be read: not a plain value"),
        ({"error": "ValueError: " + "x" * 100}, "raised ValueError: " + "x" * 48),
        ({"error": "ValueError: bad", "value": encode(torch.zeros(3))}, "raised ValueError: bad"),
        (
            {"value": {"unreadable": "a function"}},
            "the function returned a function, which is not a value the check can read",
        ),
        ({"value": encode(torch.zeros(3))}, "wrong value at index (0,)"),
        ({"value": encode(torch.zeros(2))}, "expected shape (3,), got (2,)"),
    ],
)
def test_a_wrong_or_unreadable_answer_names_its_problem(result, problem):
    results = right_results(SOFTMAX)
    results[0] = result
    points, total, feedback = score(SOFTMAX, {"results": results})
    assert (points, total) == (total - 1, len(results))
    assert feedback == f"a case failed ({problem}). Hint: {SOFTMAX.cases[0].hint}"


def test_missing_results_score_nothing_and_the_first_is_named():
    results = right_results(SOFTMAX)[:2]
    points, total, feedback = score(SOFTMAX, {"results": results})
    assert (points, total) == (2, len(all_cases(SOFTMAX)))
    assert feedback == f"a case failed (no answer). Hint: {SOFTMAX.cases[2].hint}"
    assert score(SOFTMAX, {"results": []})[:2] == (0, total)


# --- one file, with the sandbox's answers given -------------------------------------------


class FakeSandbox:
    """Stands in for ``run_in_sandbox``: records what it is asked, answers as told."""

    def __init__(self, answers: object = None, problem: str = "") -> None:
        self.answers, self.problem, self.calls = answers, problem, []

    def __call__(self, notebook, tasks, limits, trusted=False):
        self.calls.append((notebook, tasks, limits, trusted))
        return self.answers, self.problem


USES_SOFTMAX = (
    "import torch.nn.functional as F\ndef my_softmax(z):\n    return F.softmax(z, dim=-1)"
)
TEMPERATURE_CELL = "def softmax_with_temperature(z, T):\n    return z / T"


def handed_in(tmp_path: Path, *cells: str) -> Handed:
    content = notebook(*cells)
    content["cells"].insert(0, {"cell_type": "markdown", "source": "def my_softmax(z): ..."})
    return Handed("alice", write(tmp_path / "01_softmax.ipynb", content), "01_softmax")


def test_a_broken_rule_scores_zero_and_only_the_other_exercises_run(tmp_path, monkeypatch):
    answers = {"check_temperature": {"results": right_results(TEMPERATURE)}}
    fake = FakeSandbox(answers)
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    item = handed_in(tmp_path, USES_SOFTMAX, TEMPERATURE_CELL)
    limits = sandbox.Limits(cpu_seconds=7)

    graded = grade.grade_file(item, limits, trusted=True)

    ((sent, tasks, got_limits, trusted),) = fake.calls
    assert sent == json.loads(item.path.read_text()) and got_limits is limits and trusted
    assert tasks == [
        {
            "exercise": "check_temperature",
            "function": "softmax_with_temperature",
            "cases": [[encode(arg) for arg in case.args] for case in all_cases(TEMPERATURE)],
        }
    ]
    softmax_total, temperature_total = len(all_cases(SOFTMAX)), len(all_cases(TEMPERATURE))
    assert graded.handed == item and 0 < graded.seconds < 60
    assert graded.scores == {
        "check_softmax": (
            0,
            softmax_total,
            "rule broken: my_softmax uses softmax "
            "(the exercise says: from the definition (no F.softmax))",
        ),
        "check_temperature": (temperature_total, temperature_total, ""),
    }


def test_no_sandbox_runs_when_every_exercise_breaks_its_rule(tmp_path, monkeypatch):
    fake = FakeSandbox()
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    alias = "from softmax_course.functional import softmax as softmax_with_temperature"
    cells = [USES_SOFTMAX, alias]
    graded = grade.grade_file(handed_in(tmp_path, *cells), sandbox.Limits())
    assert fake.calls == []
    assert [points for points, _, _ in graded.scores.values()] == [0, 0]
    assert graded.scores["check_temperature"][2] == (
        "rule broken: softmax_with_temperature uses the course's own softmax_with_temperature "
        "(write it yourself)"
    )


def test_a_run_that_went_wrong_scores_zero_with_its_reason(tmp_path, monkeypatch):
    stopped = "stopped after 180 s of wall time (the limit)"
    monkeypatch.setattr(grade, "run_in_sandbox", FakeSandbox(None, stopped))
    item = handed_in(tmp_path, TEMPERATURE_CELL)
    graded = grade.grade_file(item, sandbox.Limits(), trusted=False)
    assert graded.scores == {
        name: (0, len(all_cases(EXERCISES[name])), stopped)
        for name in ("check_softmax", "check_temperature")
    }


@pytest.mark.parametrize("answers", [None, [], {"check_softmax": {"results": []}}])
def test_answers_of_the_wrong_shape_score_nothing(tmp_path, monkeypatch, answers):
    fake = FakeSandbox(answers)
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    graded = grade.grade_file(handed_in(tmp_path, TEMPERATURE_CELL), sandbox.Limits())
    assert fake.calls[0][3] is False
    total = len(all_cases(TEMPERATURE))
    assert graded.scores["check_temperature"] == (0, total, "no answer came back")


def test_a_file_that_breaks_the_grader_scores_zero_and_says_so(tmp_path, monkeypatch, capsys):
    """One file the grader fails on: its exercises score 0 with the error, the class goes on."""
    item = handed_in(tmp_path, TEMPERATURE_CELL)
    fake = FakeSandbox({"check_temperature": {"results": right_results(TEMPERATURE)}})
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    assert (
        grade.grade_safely(item, sandbox.Limits()).scores
        == grade.grade_file(item, sandbox.Limits()).scores
    )
    assert [call[3] for call in fake.calls] == [False, False]  # sandboxed unless told

    def failing(notebook, tasks, limits, trusted=False):
        raise RuntimeError("the pipe broke")

    monkeypatch.setattr(grade, "run_in_sandbox", failing)
    graded = grade.grade_safely(item, sandbox.Limits())
    why = "the grader failed on this file (RuntimeError: the pipe broke); ask your teacher"
    assert graded.handed == item
    assert graded.scores == {
        name: (0, len(all_cases(EXERCISES[name])), why)
        for name in ("check_softmax", "check_temperature")
    }
    assert capsys.readouterr().err == (
        f"grading {item.path} failed: RuntimeError: the pipe broke\n"
    )


def test_only_code_cells_are_read_for_the_rules():
    cells = [
        {"cell_type": "markdown", "source": "F.softmax"},
        {"cell_type": "code", "source": ["def f(z):\n", "    return z\n"]},
        {"cell_type": "code"},
        {"cell_type": "code", "source": 3},
        "not a cell",
    ]
    assert grade._code_sources({"cells": cells}) == ["def f(z):\n    return z\n", "", "3"]


# --- the class: the table, the feedback, the command line -----------------------------------


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_table_and_the_feedback_say_what_each_file_got(tmp_path):
    sub = tmp_path / "submissions"
    alice_1 = Handed("alice", sub / "alice" / "01_softmax.ipynb", "01_softmax")
    alice_2 = Handed("alice", sub / "alice" / "w" / "notes.ipynb", None, "not a lesson")
    stray = Handed("", sub / "stray.ipynb", None, "not inside a student's folder")
    twice = Handed("bob", sub / "bob" / "01_softmax.ipynb", "01_softmax", "two or more files")
    failed = "a case failed (x). Hint: y"
    results = [Graded(alice_1, {"check_softmax": (7, 7, ""), "check_temperature": (2, 6, failed)})]
    out = tmp_path / "out" / "grades"

    write_table(["alice", "bob", "carol"], [alice_2, alice_1, twice, stray], results, sub, out)

    assert read_csv(out / "grades.csv") == [
        list(COLUMNS),
        ["alice", "w/notes.ipynb", "", "", "", "", "not graded: not a lesson"],
        ["alice", "01_softmax.ipynb", "01_softmax", "check_softmax", "7", "7", ""],
        ["alice", "01_softmax.ipynb", "01_softmax", "check_temperature", "2", "6", failed],
        ["bob", "01_softmax.ipynb", "01_softmax", "", "", "", "not graded: two or more files"],
        ["", "stray.ipynb", "", "", "", "", "not graded: not inside a student's folder"],
    ]
    feedback_files = sorted(p.name for p in (out / "feedback").iterdir())
    assert feedback_files == ["alice.md", "bob.md", "carol.md"]
    assert (out / "feedback" / "alice.md").read_text(encoding="utf-8") == (
        "# Feedback for alice\n\n"
        "## w/notes.ipynb: not graded\n\n"
        "- not a lesson\n\n"
        "## 01_softmax.ipynb (01_softmax): 9/13\n\n"
        "- check_softmax: 7/7\n"
        "- check_temperature: 2/6 — a case failed (x). Hint: y\n"
    )
    assert (out / "feedback" / "bob.md").read_text(encoding="utf-8") == (
        "# Feedback for bob\n\n## 01_softmax.ipynb: not graded\n\n- two or more files\n"
    )
    assert (out / "feedback" / "carol.md").read_text(encoding="utf-8") == (
        "# Feedback for carol\n\nNo notebook (*.ipynb) was found in your folder.\n"
    )
    write_table(["alice"], [], [], sub, out)  # written again, over the old files
    assert read_csv(out / "grades.csv") == [list(COLUMNS)]


def test_the_summary_counts_students_files_and_grades():
    handed = [Handed("a", Path(f"{i}.ipynb"), None, "x") for i in range(5)]
    results = [Graded(handed[0]), Graded(handed[1])]
    assert summary(3, handed, results) == "3 students, 5 files: 2 graded, 3 not graded"


def a_class(tmp_path: Path) -> Path:
    sub = tmp_path / "submissions"
    handed_in(sub / "alice", TEMPERATURE_CELL)
    write(sub / "bob" / "notes.ipynb", notebook("x = 1"))
    write(sub / "bob" / "02_one_hot.ipynb", notebook("x = 1"))
    return sub


def test_a_folder_is_graded_file_by_file_into_the_table(tmp_path, monkeypatch):
    answers = {"check_temperature": {"results": right_results(TEMPERATURE)}}
    fake = FakeSandbox(answers)
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    threads = []
    monkeypatch.setattr(torch, "set_num_threads", threads.append)
    monkeypatch.setattr(sandbox, "check_available", lambda: pytest.fail("checked for a sandbox"))
    out = tmp_path / "grades"

    results = grade.grade_folder(a_class(tmp_path), out, jobs=1, trusted=True)

    assert threads == [1]
    graded = [(r.handed.student, r.handed.lesson) for r in results]
    assert graded == [("alice", "01_softmax"), ("bob", "02_one_hot")]
    assert {call[2] for call in fake.calls} == {sandbox.Limits()}
    assert all(call[3] for call in fake.calls)
    total = len(all_cases(TEMPERATURE))
    assert results[0].scores["check_temperature"] == (total, total, "")
    rows, one_hot = read_csv(out / "grades.csv"), exercises_of("02_one_hot")
    assert [row[:5] for row in rows[1:]] == [
        ["alice", "01_softmax.ipynb", "01_softmax", "check_softmax", "0"],
        ["alice", "01_softmax.ipynb", "01_softmax", "check_temperature", str(total)],
        *(["bob", "02_one_hot.ipynb", "02_one_hot", e.name, "0"] for e in one_hot),
        ["bob", "notes.ipynb", "", "", ""],
    ]


def test_an_untrusted_class_needs_the_sandbox(tmp_path, monkeypatch):
    def unavailable() -> None:
        raise sandbox.SandboxUnavailable("no bubblewrap")

    monkeypatch.setattr(sandbox, "check_available", unavailable)
    monkeypatch.setattr(grade, "run_in_sandbox", FakeSandbox())
    with pytest.raises(sandbox.SandboxUnavailable):
        grade.grade_folder(a_class(tmp_path), tmp_path / "grades")
    assert not (tmp_path / "grades").exists()


def test_the_command_grades_a_class_and_prints_where(tmp_path, monkeypatch, capsys):
    fake = FakeSandbox({})
    monkeypatch.setattr(grade, "run_in_sandbox", fake)
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
    monkeypatch.setattr(sandbox, "check_available", lambda: pytest.fail("checked for a sandbox"))
    out = tmp_path / "grades"
    options = ["--out", str(out), "--jobs", "1", "--cpu-seconds", "5", "--trust-notebooks"]
    grade.main([str(a_class(tmp_path)), *options])
    printed = capsys.readouterr().out
    assert printed.startswith("2 students, 3 files: 2 graded, 1 not graded in ")
    assert printed.endswith(f" s: {out / 'grades.csv'}, {out / 'feedback'}/\n")
    assert {call[2] for call in fake.calls} == {sandbox.Limits(cpu_seconds=5)}
    assert all(call[3] for call in fake.calls) and (out / "feedback" / "bob.md").exists()


def test_the_command_refuses_what_it_cannot_grade(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        grade.main([str(tmp_path / "nowhere")])
    assert exit_.value.code == 2
    assert f"{tmp_path / 'nowhere'} is not a folder of <student>/*.ipynb" in capsys.readouterr().err

    def unavailable() -> None:
        raise sandbox.SandboxUnavailable("bubblewrap is not installed")

    monkeypatch.setattr(sandbox, "check_available", unavailable)
    with pytest.raises(SystemExit) as exit_:
        grade.main([str(tmp_path)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "make grade: no sandbox here: bubblewrap is not installed\n"
        "(Only for notebooks you trust: make grade TRUST_NOTEBOOKS=1.)\n"
    )


def test_the_command_s_defaults_and_help(tmp_path, monkeypatch, capsys):
    calls = []

    def grade_folder(submissions, out_dir, jobs, limits, trusted):
        calls.append((submissions, out_dir, jobs, limits, trusted))
        return []

    monkeypatch.setattr(grade, "grade_folder", grade_folder)
    monkeypatch.setattr(sandbox, "check_available", lambda: None)
    grade.main([str(tmp_path)])
    assert calls == [(tmp_path, grade.ROOT / "build" / "grades", 2, sandbox.Limits(), False)]
    seconds = float(capsys.readouterr().out.split(" in ")[1].split(" s: ")[0])
    assert 0 <= seconds < 60
    with pytest.raises(SystemExit) as exit_:
        grade.main(["--help"])
    assert exit_.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert shown.startswith("usage: python -m tools.grade [-h] [--out OUT]")
    assert (
        "``make grade``: score a class's handed-in notebooks, trusting nothing a submission wrote."
    ) in shown
    assert "submissions a folder of <student>/*.ipynb" in shown
    assert "trusting nothing a submission wrote. positional arguments:" in shown  # its first line
    assert shown.endswith(
        "--trust-notebooks run the notebooks WITHOUT the sandbox "
        "(only for notebooks you trust: your own)"
    )


def test_a_file_not_matched_to_a_lesson_is_not_graded(tmp_path):
    item = Handed("alice", write(tmp_path / "notes.ipynb", notebook("x = 1")), None)
    with pytest.raises(AssertionError):
        grade.grade_file(item, sandbox.Limits())


@pytest.mark.parametrize(("jobs", "together", "wait"), [(1, False, 0.2), (2, True, 10.0)])
def test_the_folder_is_graded_on_as_many_threads_as_jobs(
    tmp_path, monkeypatch, jobs, together, wait
):
    """Two files: on one thread the first waits alone for the second (0.2 s), on two they meet."""
    import threading

    meeting, met = threading.Barrier(2, timeout=wait), []

    def sandbox_that_waits(notebook, tasks, limits, trusted=False):
        try:
            meeting.wait()
            met.append(True)
        except threading.BrokenBarrierError:
            met.append(False)
        return {}, ""

    monkeypatch.setattr(grade, "run_in_sandbox", sandbox_that_waits)
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
    grade.grade_folder(a_class(tmp_path), tmp_path / "grades", jobs=jobs, trusted=True)
    assert met == [together, together]
