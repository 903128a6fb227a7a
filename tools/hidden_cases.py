"""The grader's hidden cases: run by ``make grade``, never shown to a student.

Each hidden case reuses the hint of the visible case that teaches the same
point, so the feedback a student gets names an idea they have already been
shown. This file is the instructor's: it is in no student notebook, page,
slide deck or wheel (``tests/test_student_files.py`` checks).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises import EXERCISES
from softmax_course.exercises.runner import Case


def like(checker: str, visible: str, name: str, *args: object) -> Case:
    """A hidden case of ``checker`` with the hint of its visible case ``visible``."""
    hints = {case.name: case.hint for case in EXERCISES[checker].cases}
    return Case(f"hidden: {name}", args, hints[visible])


def _rows(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


HIDDEN_CASES: dict[str, tuple[Case, ...]] = {
    "check_softmax": (
        like("check_softmax", "4 rows of 5 logits", "3 rows of 7 logits", _rows(11, (3, 7))),
        like("check_softmax", "negative logits", "two classes", torch.tensor([-0.5, 0.5])),
    ),
    "check_temperature": (
        like("check_temperature", "T = 0.5", "T = 0.25", torch.tensor([0.5, -1.0, 2.0]), 0.25),
        like("check_temperature", "rows, T = 2", "rows, T = 3", _rows(12, (2, 4)), 3.0),
    ),
    "check_one_hot": (
        like("check_one_hot", "last class", "labels 4, 0, 4", torch.tensor([4, 0, 4]), 5),
        like("check_one_hot", "num_classes larger than any label", "wide", torch.tensor([1]), 9),
    ),
    "check_labels_from_one_hot": (
        like(
            "check_labels_from_one_hot",
            "y = [0, 2, 1]",
            "seven rows",
            F.one_hot(torch.tensor([6, 0, 3, 3, 1, 5, 2]), 7).float(),
        ),
    ),
    "check_cross_entropy": (
        like(
            "check_cross_entropy",
            "4 samples",
            "3 samples of 6 classes",
            _rows(13, (3, 6), 2.0),
            torch.tensor([5, 0, 2]),
        ),
        like(
            "check_cross_entropy",
            "large logits",
            "large negative logits",
            torch.tensor([[-300.0, 0.0]]),
            torch.tensor([0]),
        ),
    ),
    "check_logit_gradient": (
        like(
            "check_logit_gradient",
            "4 samples",
            "5 samples of 3 classes",
            _rows(14, (5, 3)),
            torch.tensor([0, 1, 2, 2, 1]),
        ),
    ),
    "check_accuracy": (
        like(
            "check_accuracy",
            "half right",
            "one in three",
            torch.tensor([[0.0, 1.0], [3.0, 1.0], [2.0, 5.0]]),
            torch.tensor([1, 1, 0]),
        ),
    ),
    "check_stable_softmax": (
        like(
            "check_stable_softmax",
            "rows with different scales",
            "rows far apart",
            torch.tensor([[-800.0, -801.0], [800.0, 799.0]]),
        ),
    ),
    "check_logsumexp": (
        like(
            "check_logsumexp",
            "rows",
            "rows far apart",
            torch.tensor([[-800.0, -801.0], [800.0, 799.0]]),
        ),
    ),
    "check_double_softmax_floor": (
        like("check_double_softmax_floor", "3 classes", "5 classes", 5),
        like("check_double_softmax_floor", "3 classes", "100 classes", 100),
    ),
    "check_cost_from_probabilities": (
        like(
            "check_cost_from_probabilities",
            "4 samples",
            "6 samples of 3 classes",
            torch.softmax(_rows(17, (6, 3)), dim=1),
            torch.tensor([2, 0, 1, 1, 0, 2]),
        ),
        like(
            "check_cost_from_probabilities",
            "confident and right",
            "confident and wrong",
            torch.tensor([[0.01, 0.99]]),
            torch.tensor([0]),
        ),
    ),
    "check_standardize": (
        like(
            "check_standardize",
            "train and test",
            "other splits",
            _rows(15, (30, 4)).double() * 3 + 1,
            _rows(16, (7, 4)).double() * 5,
        ),
    ),
    "check_confusion_matrix": (
        like(
            "check_confusion_matrix",
            "mistakes",
            "repeated pairs",
            torch.tensor([1, 1, 1, 0, 2]),
            torch.tensor([0, 0, 1, 0, 2]),
            3,
        ),
    ),
}

# Lesson 09 (minibatches): a step with other shapes and rates; smoothing with more classes.
HIDDEN_CASES["check_sgd_step"] = (
    like(
        "check_sgd_step",
        "weight decay and a gradient",
        "a vector, a large decay",
        _rows(18, (5,)).double(),
        _rows(19, (5,)).double(),
        0.05,
        2.0,
    ),
)
HIDDEN_CASES["check_label_smoothing_cross_entropy"] = (
    like(
        "check_label_smoothing_cross_entropy",
        "epsilon = 0.1",
        "epsilon = 0.3, 6 classes",
        _rows(20, (5, 6), 2.0).double(),
        torch.tensor([5, 0, 3, 3, 1]),
        0.3,
    ),
)
# Lesson 10 (calibration): bins far from the last one; top-k with a larger k and more classes.
HIDDEN_CASES["check_expected_calibration_error"] = (
    like(
        "check_expected_calibration_error",
        "bins of different sizes",
        "three bins",
        torch.tensor(
            [[0.45, 0.35, 0.2], [0.45, 0.35, 0.2], [0.13, 0.25, 0.62], [0.05, 0.87, 0.08]],
            dtype=torch.float64,
        ),
        torch.tensor([0, 1, 2, 1]),
    ),
)
HIDDEN_CASES["check_top_k_accuracy"] = (
    like(
        "check_top_k_accuracy",
        "k = 2",
        "k = 3 of 6 classes",
        _rows(21, (8, 6)).double(),
        torch.tensor([0, 1, 2, 3, 4, 5, 0, 1]),
        3,
    ),
)
