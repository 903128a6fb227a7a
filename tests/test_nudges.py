"""Exercises nudge: predictions come before the truth, whatever is written in their place.

``reveal_prediction`` closes each lesson's "predict, then run" exercise and
shows the truth only for a written prediction of the truth's kind and shape;
the solution cells open collapsed. (The hints' own test, that none holds the
answer, is in ``test_exercises.py``.)
"""

import math
import re

import jupytext
import nbformat
import pytest
import torch

from conftest import EXECUTED, LESSONS, tags
from softmax_course.exercises import reveal_prediction


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
    result = reveal_prediction(prediction, truth)
    out = capsys.readouterr().out
    assert out.startswith(verdict) and out == result.message + "\n", out
    assert (result.exercise, result.status) == ("prediction", "pass" if verdict == "✓" else "fail")
    shown_truth = f"{truth:.4f}" if isinstance(truth, float) else str(truth)
    assert shown_truth in out, out


def test_tolerance_is_the_given_one(capsys):
    assert reveal(capsys, 0.5, 0.52, atol=0.01).startswith("✗")
    assert reveal(capsys, 0.5, 0.52, atol=0.05).startswith("✓")
    assert reveal(capsys, [0.5, 0.5], torch.tensor([0.52, 0.48]), atol=0.01).startswith("✗")
    assert reveal(capsys, [0.5, 0.5], torch.tensor([0.52, 0.48]), atol=0.05).startswith("✓")


def test_tolerance_is_absolute_whatever_the_truth_s_size(capsys):
    # A guess 5 off a million, or 100 off a million million, is off by more than the tolerance,
    # though by a small part of the truth.
    assert reveal(capsys, 1e12 + 100, 1e12).startswith("✗")
    assert reveal(capsys, [1e6 + 5], torch.tensor([1e6], dtype=torch.float64)).startswith("✗")


def test_a_wrong_prediction_is_shown_beside_the_truth(capsys):
    out = reveal(capsys, [0.7, 0.3], torch.tensor([0.2689, 0.7311]))
    assert out == (
        "✗ you predicted\ntensor([0.7000, 0.3000])\nbut the truth is\ntensor([0.2689, 0.7311])\n"
    )
    assert reveal(capsys, 1.5, 1.6094) == "✗ you predicted\n1.5000\nbut the truth is\n1.6094\n"


@pytest.mark.parametrize(
    ("prediction", "truth", "message"),
    [
        ([0.5, 0.5, 0.0], torch.tensor([0.5, 0.5]), "has shape (3,); write it as shape (2,)"),
        ("a third", torch.tensor([1 / 3]), "should be a list of numbers, got str"),
        ({"a": 1}, torch.tensor([1 / 3]), "not a number or a list of numbers (got dict)"),
        ("1.6", 1.6, "should be a number, got str"),
        (True, 1.0, "should be a number, got bool"),
        (1.0, "higher", "should be a word in quotes, got float"),
        ([0.7, 0.3], torch.tensor(0.7321), "has shape (2,); write it as a single number"),
        (10**400, 1.6, "is too large for a float"),
    ],
)
def test_malformed_prediction_is_named(capsys, prediction, truth, message):
    out = reveal(capsys, prediction, truth)
    assert out.startswith("✗") and message in out, out


def test_a_prediction_too_large_for_a_float_is_named_in_full(capsys):
    assert reveal(capsys, 10**400, 1.6) == "✗ your prediction is too large for a float\n"


#: Truths of every kind a lesson reveals, each with digits no prediction below holds.
TRUTHS = [
    torch.tensor([0.3337, 0.3331, 0.3332]),
    torch.tensor([[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]),
    torch.tensor(0.7321),
    1.6094,
    float("inf"),
    "higher",
]
#: Predictions a student may write that are no answer of the truth's kind and shape.
UNFIT_PREDICTIONS = [
    None, "", "0.33", b"1", True, [], [[]], [0.5], [[1, 2, 3]], [0.1, 0.2, 0.3, 0.4], {},
    {"a": 1}, {1, 2}, (), object(), print, torch.zeros(2, 2), torch.zeros(5), 10**400, [None],
]  # fmt: skip


def truth_text(truth) -> list[str]:
    """The ways the truth could appear in an output."""
    if isinstance(truth, torch.Tensor):
        return [str(truth), *(f"{value:.4f}" for value in truth.flatten().tolist())]
    return [f"{truth:.4f}"] if isinstance(truth, float) else [truth]


def of_the_truths_kind(prediction, truth) -> bool:
    """A written answer of the truth's type and shape: only such a prediction is judged."""
    if isinstance(truth, str):
        return isinstance(prediction, str) and bool(prediction.strip())
    if isinstance(truth, float):
        if not isinstance(prediction, int | float) or isinstance(prediction, bool):
            return False
        try:
            float(prediction)
        except OverflowError:  # an int too large for a float
            return False
        return True
    if isinstance(prediction, str | bytes | bool | dict | set) or prediction is None:
        return False
    try:
        return torch.as_tensor(prediction, dtype=torch.float64).shape == truth.shape
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return False


#: Each truth with every prediction above that is not of its kind (those are judged).
UNFIT_PAIRS = [
    (prediction, truth)
    for truth in TRUTHS
    for prediction in UNFIT_PREDICTIONS
    if not of_the_truths_kind(prediction, truth)
]


@pytest.mark.parametrize(
    ("prediction", "truth"),
    UNFIT_PAIRS,
    # Ids by kind and position: a tensor's repr spans lines, and tools that address a test by its
    # id (mutmut) cannot find it again.
    ids=[
        f"{type(p).__name__}{i}-{type(truth).__name__}{j}"
        for j, truth in enumerate(TRUTHS)
        for i, p in enumerate(UNFIT_PREDICTIONS)
        if not of_the_truths_kind(p, truth)
    ],
)
def test_an_unfit_prediction_never_shows_the_truth(capsys, prediction, truth):
    result = reveal_prediction(prediction, truth)
    out = capsys.readouterr().out
    assert out.startswith("✗") and result.status in {"unfit", "not written"}, out
    assert result.exercise == "prediction" and result.message + "\n" == out
    for text in truth_text(truth):
        assert text not in out, f"the truth {text!r} shown for the prediction {prediction!r}"


def test_a_prediction_returns_its_verdict(capsys):
    assert reveal_prediction(1.61, math.log(5)).status == "pass"
    assert reveal_prediction(..., math.log(5)).status == "not written"
    assert reveal_prediction(2.0, math.log(5)).status == "fail"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_has_a_predict_then_run_exercise(lesson):
    cells = jupytext.read(lesson).cells
    stubs = [c for c in cells if re.search(r"^\w+_prediction = \.\.\.$", c.source, re.M)]
    reveals = [c for c in cells if "reveal_prediction(" in c.source]
    assert len(stubs) == 1 and len(reveals) == 1, lesson
    assert "check" in tags(reveals[0]), "tag the reveal `check`: its ✓ must not reach students"
    name = re.search(r"^(\w+_prediction) = \.\.\.$", stubs[0].source, re.M).group(1)
    solutions = [c for c in cells if "solution" in tags(c)]
    assert any(c.source.startswith(f"{name} = ") for c in solutions), f"no solution for {name}"


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_solution_cells_open_collapsed(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    solutions = [c for c in notebook.cells if "solution" in tags(c)]
    assert solutions
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
