"""Lessons 09 (minibatches) and 10 (calibration): their exercises and their figure helper.

Each exercise's solution (read from the lesson's ``solution`` cells) passes its
visible and hidden cases; each wrong answer of ``tests/wrong_answers.py`` fails
a visible case with that case's hint; the references agree with values worked
out by hand; a function that calls the lesson's own code, which uses what the
exercise forbids, breaks the exercise's rule; and ``plot_reliability`` draws
the table it is given and refuses a table it cannot draw.
"""

from __future__ import annotations

import math

import jupytext
import matplotlib
import pytest
import torch
import torch.nn.functional as F

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from wrong_answers import WRONG_ANSWERS  # noqa: E402

from conftest import NOTEBOOKS, tags  # noqa: E402
from softmax_course.exercises import EXERCISES, LESSON_EXERCISES  # noqa: E402
from softmax_course.exercises.rules import broken_rule  # noqa: E402
from softmax_course.exercises.runner import run_checks  # noqa: E402
from softmax_course.plotting import plot_reliability  # noqa: E402
from tools.hidden_cases import HIDDEN_CASES  # noqa: E402

LESSONS = {
    "minibatches": NOTEBOOKS / "09_minibatches.py",
    "calibration": NOTEBOOKS / "10_calibration.py",
}
NAMES = [exercise.name for topic in LESSONS for exercise in LESSON_EXERCISES[topic]]


def cells(topic: str, solution: bool) -> list[str]:
    """The lesson's code cells: those tagged ``solution``, or all the others."""
    return [
        cell.source
        for cell in jupytext.read(LESSONS[topic]).cells
        if cell.cell_type == "code" and ("solution" in tags(cell)) == solution
    ]


def define(source: str, name: str):
    namespace = {"torch": torch, "F": F, "math": math}
    exec(source, namespace)  # noqa: S102 - the course's own code
    return namespace[name]


def solution_of(exercise) -> object:
    topic = next(t for t in LESSONS if exercise in LESSON_EXERCISES[t])
    (source,) = [s for s in cells(topic, solution=True) if f"def {exercise.function}(" in s]
    return define(source, exercise.function)


def test_each_lesson_declares_two_exercises():
    assert [len(LESSON_EXERCISES[topic]) for topic in LESSONS] == [2, 2]
    assert set(NAMES) <= set(HIDDEN_CASES) and set(NAMES) <= set(WRONG_ANSWERS)


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_passes_every_case_hidden_ones_too(name):
    exercise = EXERCISES[name]
    solution = solution_of(exercise)
    for case in [*exercise.cases, *HIDDEN_CASES[name]]:
        assert exercise.problem(case.args, solution(*case.args)) is None, case.name


@pytest.mark.parametrize(
    ("name", "source"),
    [(name, source) for name in NAMES for source in WRONG_ANSWERS[name].values()],
    ids=[f"{name}-{what}" for name in NAMES for what in WRONG_ANSWERS[name]],
)
def test_a_wrong_answer_fails_a_visible_case_with_its_hint(name, source):
    exercise = EXERCISES[name]
    assert broken_rule(exercise.rules, [source], exercise.function) is None, "keeps the rules"
    result = run_checks(exercise, define(source, exercise.function), [source])
    assert result.status == "fail", result.message
    failed = next(case for case in exercise.cases if f"case '{case.name}'" in result.message)
    assert result.message.endswith(f"Hint: {failed.hint}")


@pytest.mark.parametrize(
    ("name", "case", "by_hand"),
    [
        ("check_expected_calibration_error", "calibrated", 0.0),
        ("check_expected_calibration_error", "right and wrong", 0.75 - 0.55),
        ("check_expected_calibration_error", "bins of different sizes", 0.75 * 0.05 + 0.25 * 0.45),
        ("check_expected_calibration_error", "gaps of both signs", 0.45),
        ("check_expected_calibration_error", "certain", 0.25),
        ("check_top_k_accuracy", "k = 1", 2 / 5),
        ("check_top_k_accuracy", "k = 2", 3 / 5),
        ("check_top_k_accuracy", "k = 3", 4 / 5),
        ("check_top_k_accuracy", "k = C", 1.0),
    ],
)
def test_the_references_give_the_values_worked_out_by_hand(name, case, by_hand):
    exercise = EXERCISES[name]
    (args,) = [c.args for c in exercise.cases if c.name == case]
    assert math.isclose(exercise.reference(*args), by_hand, abs_tol=1e-12)


def test_the_sgd_reference_is_the_step_written_out():
    exercise = EXERCISES["check_sgd_step"]
    for case in exercise.cases:
        w, grad, lr, weight_decay = case.args
        expected = w - lr * (grad + weight_decay * w)
        torch.testing.assert_close(exercise.reference(*case.args), expected)


def test_no_calibration_case_puts_a_confidence_near_a_bin_edge():
    """Where one path rounds a confidence to either side of an edge, the bin is a coin toss."""
    edges = torch.linspace(0, 1, 11, dtype=torch.float64)[1:-1]
    name = "check_expected_calibration_error"
    for case in [*EXERCISES[name].cases, *HIDDEN_CASES[name]]:
        confidence = case.args[0].max(dim=1).values
        assert (confidence[:, None] - edges).abs().min() > 1e-6, case.name


@pytest.mark.parametrize(
    ("name", "wrapper"),
    [
        ("check_expected_calibration_error",
         "def my_ece(probs, y):\n    return expected_calibration_error(probs, y)\n"),
        ("check_top_k_accuracy",
         "def my_top_k_accuracy(logits, y, k):\n    return top_k_accuracy(logits, y, k)\n"),
        ("check_label_smoothing_cross_entropy",
         "def my_label_smoothing_cross_entropy(z, y, epsilon):\n"
         "    return nn.CrossEntropyLoss(label_smoothing=epsilon)(z, y)\n"),
        ("check_sgd_step",
         "def my_sgd_step(w, grad, lr, weight_decay):\n"
         "    p = torch.nn.Parameter(w.clone())\n    p.grad = grad\n"
         "    optim.SGD([p], lr=lr, weight_decay=weight_decay).step()\n    return p.detach()\n"),
    ],
)  # fmt: skip
def test_calling_what_the_lesson_calls_breaks_the_rule(name, wrapper):
    exercise = EXERCISES[name]
    topic = next(t for t in LESSONS if exercise in LESSON_EXERCISES[t])
    lesson = cells(topic, solution=False)
    assert broken_rule(exercise.rules, [*lesson, wrapper], exercise.function) is not None
    solution = next(s for s in cells(topic, solution=True) if f"def {exercise.function}(" in s)
    assert broken_rule(exercise.rules, [*lesson, solution], exercise.function) is None


# --- plot_reliability ----------------------------------------------------------

EDGES = torch.linspace(0, 1, 5, dtype=torch.float64)
COUNTS = torch.tensor([0, 2, 3, 5])
CONFIDENCE = torch.tensor([math.nan, 0.4, 0.6, 0.9], dtype=torch.float64)
ACCURACY = torch.tensor([math.nan, 0.5, 2 / 3, 0.8], dtype=torch.float64)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_reliability_draws_each_filled_bin():
    fig = plot_reliability(EDGES, COUNTS, CONFIDENCE, ACCURACY, "Reliability")
    ax = fig.axes[0]
    assert [round(p.get_height(), 12) for p in ax.patches] == [0.5, round(2 / 3, 12), 0.8]
    assert [p.get_x() for p in ax.patches] == [0.25, 0.5, 0.75]
    markers, diagonal = ax.lines
    assert list(markers.get_xdata()) == [0.4, 0.6, 0.9]
    assert list(diagonal.get_xdata()) == [0.0, 1.0] == list(diagonal.get_ydata())
    assert [t.get_text() for t in ax.texts] == ["2", "3", "5"]
    assert ax.get_title() == "Reliability"


def test_reliability_draws_uneven_bins_at_their_place_and_says_what_it_shows():
    edges = torch.tensor([0.1, 0.5, 0.7, 1.0], dtype=torch.float64)
    counts = torch.tensor([1, 0, 6])  # a bin of one sample is drawn too
    confidence = torch.tensor([0.3, math.nan, 0.85], dtype=torch.float64)
    accuracy = torch.tensor([0.0, math.nan, 1.0], dtype=torch.float64)  # both ends allowed
    fig = plot_reliability(edges, counts, confidence, accuracy, "Uneven")
    fig.canvas.draw()
    ax = fig.axes[0]
    bars = [(p.get_x(), p.get_width(), p.get_height()) for p in ax.patches]
    np.testing.assert_allclose(bars, [(0.1, 0.4, 0.0), (0.7, 0.3, 1.0)])  # each spans its bin
    markers, diagonal = ax.lines
    assert markers.get_xydata().tolist() == [[0.3, 0.0], [0.85, 1.0]]
    assert markers.get_linestyle() == "None" and markers.get_marker() not in {"None", "", " "}
    assert list(diagonal.get_xdata()) == [0.1, 1.0] == list(diagonal.get_ydata())
    for bar, text, count in zip(ax.patches, ax.texts, ["1", "6"], strict=True):
        x, y = text.get_position()
        assert text.get_text() == count and x == pytest.approx(bar.get_x() + bar.get_width() / 2)
        assert bar.get_height() < y  # above its bar, and inside the axes (a full bin's too):
        assert ax.get_window_extent().contains(*text.get_window_extent().p1)
    assert ax.get_xlim() == (0.1, 1.0) and ax.get_ylim()[0] == 0
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("confidence (largest probability)", "accuracy")
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend == {"accuracy in the bin", "at its mean confidence", "calibrated"}


def test_reliability_draws_a_single_bin():
    one = torch.tensor([0.0, 1.0], dtype=torch.float64)
    ax = plot_reliability(one, torch.tensor([4]), torch.tensor([0.7]), torch.tensor([0.75]), "t")
    ax = ax.axes[0]
    assert [(p.get_x(), p.get_width(), p.get_height()) for p in ax.patches] == [(0.0, 1.0, 0.75)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((EDGES[:1], COUNTS[:0], CONFIDENCE[:0], ACCURACY[:0]), "at least two increasing"),
        ((torch.tensor([0.0, 0.5, 0.5, 1.0]), COUNTS, CONFIDENCE, ACCURACY), "increasing"),
        ((EDGES, COUNTS > 0, CONFIDENCE, ACCURACY), "integers"),
        ((EDGES.flip(0), COUNTS, CONFIDENCE, ACCURACY), "increasing"),
        ((EDGES, COUNTS[1:], CONFIDENCE, ACCURACY), "one per bin"),
        ((EDGES, COUNTS.double(), CONFIDENCE, ACCURACY), "integers"),
        ((EDGES, torch.zeros(4, dtype=torch.long), CONFIDENCE, ACCURACY), "some bin"),
        ((EDGES, COUNTS, CONFIDENCE[1:], ACCURACY), "one value per bin"),
        ((EDGES, COUNTS, CONFIDENCE, ACCURACY * 2), r"accuracy must lie in \[0, 1\]"),
        ((EDGES, COUNTS, CONFIDENCE - 0.5, ACCURACY), r"confidence must lie in \[0, 1\]"),
        ((EDGES, COUNTS * torch.tensor([1, 1, -1, 1]), CONFIDENCE, ACCURACY), "0 or more"),
        ((EDGES, COUNTS, CONFIDENCE.clone().fill_(math.nan), ACCURACY), "confidence must lie"),
    ],
)
def test_reliability_refuses_a_table_it_cannot_draw(args, message):
    with pytest.raises(ValueError, match=message):
        plot_reliability(*args, "Reliability")


@pytest.mark.parametrize("name", ["edges", "counts", "confidence", "accuracy"])
def test_reliability_names_the_argument_that_is_no_tensor(name):
    args = dict(edges=EDGES, counts=COUNTS, confidence=CONFIDENCE, accuracy=ACCURACY)
    args[name] = args[name].tolist()
    with pytest.raises(TypeError, match=f"^{name} must be a torch.Tensor, got list$"):
        plot_reliability(**args, title="Reliability")


def test_reliability_checks_a_bin_of_one_sample():
    confidence = CONFIDENCE.clone()
    confidence[1] = math.nan
    with pytest.raises(ValueError, match="confidence must lie"):
        plot_reliability(EDGES, torch.tensor([0, 1, 3, 5]), confidence, ACCURACY, "Reliability")


#: Each wrong answer's idea, and the case whose hint names it: the first case it fails.
FIRST_FAILURE = {
    ("check_sgd_step", "step along the gradient"): "no weight decay",
    ("check_sgd_step", "decay not scaled by lr"): "weight decay, zero gradient",
    ("check_sgd_step", "decay of the sign (L1)"): "weight decay, zero gradient",
    ("check_label_smoothing_cross_entropy", "epsilon shared by the other classes only"):
        "epsilon = 0.1",
    ("check_label_smoothing_cross_entropy", "epsilon added, nothing taken"): "epsilon = 0.1",
    ("check_label_smoothing_cross_entropy", "sum over the samples"): "epsilon = 0",
    ("check_expected_calibration_error", "gaps with their sign"): "gaps of both signs",
    ("check_expected_calibration_error", "bins not weighted by their size"):
        "bins of different sizes",
    ("check_expected_calibration_error", "probability of the true class as confidence"):
        "right and wrong",
    ("check_expected_calibration_error", "one gap over all images"): "gaps of both signs",
    ("check_expected_calibration_error", "bins closed on the left"): "certain",
    ("check_top_k_accuracy", "k ignored"): "k = 2",
    ("check_top_k_accuracy", "one class too many"): "k = 1",
    ("check_top_k_accuracy", "a count, not a fraction"): "k = 1",
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "what"), FIRST_FAILURE, ids=[f"{n}-{w}" for n, w in FIRST_FAILURE]
)
def test_a_wrong_answer_first_fails_the_case_whose_hint_names_its_mistake(name, what):
    """The cases are ordered so that the hint printed is the one about that mistake."""
    exercise = EXERCISES[name]
    source = WRONG_ANSWERS[name][what]
    result = run_checks(exercise, define(source, exercise.function), [source])
    assert f"case '{FIRST_FAILURE[name, what]}'" in result.message, result.message


def test_the_ece_reference_keeps_the_two_lowest_bins_apart():
    """No case has a confidence below 0.2 (ten classes at most): the bins (0, 0.1] and
    (0.1, 0.2] are checked here, with twenty classes, one sample right and one wrong."""
    rest = 19
    sure, unsure = [0.08] + [0.92 / rest] * rest, [0.85 / rest, 0.15] + [0.85 / rest] * (rest - 1)
    probs, y = torch.tensor([sure, unsure], dtype=torch.float64), torch.tensor([0, 0])
    reference = EXERCISES["check_expected_calibration_error"].reference
    assert math.isclose(reference(probs, y), ((1 - 0.08) + 0.15) / 2, abs_tol=1e-12)
