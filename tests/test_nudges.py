"""Exercises nudge: predictions come before the truth, hints never hold the answer.

``reveal_prediction`` closes each lesson's "predict, then run" exercise; the
checkers' hints name an idea or a lesson section, never the code to type; the
solution cells open collapsed.
"""

import math
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import torch

from softmax_course import exercises
from softmax_course.exercises import reveal_prediction

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: Lessons whose exercises follow this pattern, and the checkers they use.
LESSON_CHECKERS = {
    "01_softmax": ["check_softmax", "check_temperature"],
    "02_one_hot": ["check_one_hot", "check_labels_from_one_hot"],
    "03_cross_entropy": ["check_cross_entropy", "check_logit_gradient"],
    "04_training_styles": ["check_accuracy"],
    "05_double_softmax": ["check_double_softmax_floor"],
    "06_numerical_stability": ["check_stable_softmax", "check_logsumexp"],
    "07_mistakes": ["check_double_softmax_floor"],
    "08_digits": ["check_standardize", "check_confusion_matrix"],
}
#: Code in a hint: a method call, a keyword argument, a call with a dimension or a comma,
#: or a call inside a call.
CODE_IN_HINT = re.compile(r"\.\w+\(|\b\w+=\w|\w\([^)]*(\bdim\b|,)[^)]*\)|\w\(\w+\(")


def test_every_lesson_is_listed():
    assert set(LESSON_CHECKERS) == {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")}


def reveal(capsys, prediction, truth, **kwargs) -> str:
    reveal_prediction(prediction, truth, **kwargs)
    return capsys.readouterr().out


def test_no_prediction_keeps_the_truth_hidden(capsys):
    out = reveal(capsys, ..., torch.tensor([0.25, 0.75]))
    assert out.startswith("✗ write your prediction first") and "0.75" not in out


@pytest.mark.parametrize(
    ("prediction", "truth", "verdict"),
    [
        ([0.27, 0.73], torch.tensor([0.2689, 0.7311]), "✓"),
        ([0.7, 0.3], torch.tensor([0.2689, 0.7311]), "✗ you predicted"),
        ([[0, 1], [1, 0]], torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "✓"),
        ([[1, 0], [0, 1]], torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "✗ you predicted"),
        (1.61, math.log(5), "✓"),
        (1.5, math.log(5), "✗ you predicted"),
        (float("inf"), float("inf"), "✓"),
        (3.4e38, float("inf"), "✗ you predicted"),
        (" Higher", "higher", "✓"),
        ("lower", "higher", "✗ you predicted"),
    ],
)
def test_prediction_is_judged_and_the_truth_shown(capsys, prediction, truth, verdict):
    out = reveal(capsys, prediction, truth)
    assert out.startswith(verdict), out
    shown_truth = f"{truth:.4f}" if isinstance(truth, float) else str(truth)
    assert shown_truth in out, out


def test_tolerance_is_the_given_one(capsys):
    assert reveal(capsys, 0.5, 0.52, atol=0.01).startswith("✗")
    assert reveal(capsys, 0.5, 0.52, atol=0.05).startswith("✓")


@pytest.mark.parametrize(
    ("prediction", "truth", "message"),
    [
        ([0.5, 0.5, 0.0], torch.tensor([0.5, 0.5]), "has shape (3,), the truth has shape (2,)"),
        ("a third", torch.tensor([1 / 3]), "not a number or a list of numbers"),
        ("1.6", 1.6, "should be a number, got str"),
        (True, 1.0, "should be a number, got bool"),
        (1.0, "higher", "should be a word in quotes, got float"),
    ],
)
def test_malformed_prediction_is_named(capsys, prediction, truth, message):
    out = reveal(capsys, prediction, truth)
    assert out.startswith("✗") and message in out, out


@pytest.mark.parametrize("lesson", LESSON_CHECKERS)
def test_lesson_has_a_predict_then_run_exercise(lesson):
    cells = jupytext.read(NOTEBOOKS / f"{lesson}.py").cells
    stubs = [c for c in cells if re.search(r"^\w+_prediction = \.\.\.$", c.source, re.M)]
    reveals = [c for c in cells if "reveal_prediction(" in c.source]
    assert len(stubs) == 1 and len(reveals) == 1, lesson
    tags = reveals[0].metadata.get("tags", [])
    assert "check" in tags, "tag the reveal `check`: its stored ✓ must not reach students"
    name = re.search(r"^(\w+_prediction) = \.\.\.$", stubs[0].source, re.M).group(1)
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert any(c.source.startswith(f"{name} = ") for c in solutions), f"no solution for {name}"


@pytest.mark.parametrize("lesson", LESSON_CHECKERS)
def test_solution_cells_open_collapsed(lesson):
    notebook = nbformat.read(NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
    solutions = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]


def checker_hints(checker_name: str, monkeypatch) -> list[str]:
    """The hints of every case a checker would run, read where it hands them to run_checks."""
    seen: list = []
    monkeypatch.setattr(exercises, "run_checks", lambda name, fn, cases, *a: seen.extend(cases))
    getattr(exercises, checker_name)(lambda *args: None)
    assert seen, checker_name
    return [case.hint for case in seen]


def solution_lines(lesson: str) -> list[str]:
    """Each line of code in the lesson's solution cells, without keywords and spaces."""
    lines = []
    for cell in jupytext.read(NOTEBOOKS / f"{lesson}.py").cells:
        if "solution" in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                code = re.sub(r"^\s*(return|def)\s+", "", line.split("#")[0]).replace(" ", "")
                if len(code) >= 6 and any(mark in code for mark in "()[]="):
                    lines.append(code)
    return lines


@pytest.mark.parametrize(
    ("lesson", "checker_name"),
    [(lesson, name) for lesson, names in LESSON_CHECKERS.items() for name in names],
)
def test_hints_name_the_idea_not_the_code(lesson, checker_name, monkeypatch):
    hints = checker_hints(checker_name, monkeypatch)
    answers = solution_lines(lesson)
    for hint in hints:
        assert not CODE_IN_HINT.search(hint), f"{checker_name} hint reads as code: {hint!r}"
        squeezed = hint.replace(" ", "")
        for answer in answers:
            assert answer not in squeezed, f"{checker_name} hint holds the solution {answer!r}"
