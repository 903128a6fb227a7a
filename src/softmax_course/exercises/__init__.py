"""The exercises' checkers, one module per lesson (in lesson order), and their runner.

A lesson's check cell calls ``check_<exercise>(its_function)``; the check
prints ✓ or the first failing case and its hint, and returns a
:class:`~softmax_course.exercises.runner.CheckResult` (its points and message; ``make grade``
scores the same cases in otter's test files).
``EXERCISES`` lists every exercise, in lesson order, under the name its
check cell calls.
"""

from softmax_course.exercises.cross_entropy import (
    CROSS_ENTROPY,
    LOGIT_GRADIENT,
    check_cross_entropy,
    check_logit_gradient,
)
from softmax_course.exercises.digits import (
    CONFUSION_MATRIX,
    STANDARDIZE,
    check_confusion_matrix,
    check_standardize,
)
from softmax_course.exercises.double_softmax import (
    DOUBLE_SOFTMAX_FLOOR,
    check_double_softmax_floor,
)
from softmax_course.exercises.mistakes import (
    COST_FROM_PROBABILITIES,
    check_cost_from_probabilities,
)
from softmax_course.exercises.numerical_stability import (
    LOGSUMEXP,
    STABLE_SOFTMAX,
    check_logsumexp,
    check_stable_softmax,
)
from softmax_course.exercises.one_hot import (
    LABELS_FROM_ONE_HOT,
    ONE_HOT,
    check_labels_from_one_hot,
    check_one_hot,
)
from softmax_course.exercises.runner import CheckResult, Exercise, reveal_prediction
from softmax_course.exercises.softmax import SOFTMAX, TEMPERATURE, check_softmax, check_temperature
from softmax_course.exercises.training_styles import ACCURACY, check_accuracy

EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    for exercise in (
        SOFTMAX,
        TEMPERATURE,
        ONE_HOT,
        LABELS_FROM_ONE_HOT,
        CROSS_ENTROPY,
        LOGIT_GRADIENT,
        ACCURACY,
        DOUBLE_SOFTMAX_FLOOR,
        STABLE_SOFTMAX,
        LOGSUMEXP,
        COST_FROM_PROBABILITIES,
        STANDARDIZE,
        CONFUSION_MATRIX,
    )
}

__all__ = [
    "EXERCISES",
    "CheckResult",
    "check_accuracy",
    "check_confusion_matrix",
    "check_cost_from_probabilities",
    "check_cross_entropy",
    "check_double_softmax_floor",
    "check_labels_from_one_hot",
    "check_logit_gradient",
    "check_logsumexp",
    "check_one_hot",
    "check_softmax",
    "check_stable_softmax",
    "check_standardize",
    "check_temperature",
    "reveal_prediction",
]
