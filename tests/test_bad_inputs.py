"""Every public helper meets bad input with a TypeError or ValueError that names it.

One row per (helper, bad input): the test fails if a call returns silently,
raises another exception type, or says something other than the expected text.
"""

import math
import re

import pytest
import torch

from softmax_course.data import load_digits_split, standardize, toy_data
from softmax_course.functional import (
    cross_entropy_from_probs,
    log_softmax,
    one_hot,
    softmax,
    stable_softmax,
)
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import (
    plot_costs,
    plot_curves,
    plot_images,
    plot_matrix,
    plot_probabilities,
)
from softmax_course.training import train, train_cross_entropy, train_hand_written, train_module

X, Y = toy_data()
PROBS = torch.full((3, 3), 1 / 3)
LABELS = torch.tensor([0, 2, 1])
NAN_LOGITS = torch.tensor([[0.0, math.nan, 1.0]])
INF_LOGITS = torch.tensor([[0.0, math.inf, 1.0]])
W = torch.zeros(4, 3, requires_grad=True)
WRONG_DIM_PROBS = torch.softmax(torch.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]]), dim=0)
NAN_X, INF_X = X.clone(), X.clone()
NAN_X[2, 1], INF_X[2, 1] = math.nan, math.inf


def cost():
    return (X.float() @ W).sum()


SCORE_FUNCTIONS = [softmax, stable_softmax, log_softmax]

CASES = [
    # --- logits for the softmax family
    *[(f, ([1.0, 2.0],), TypeError, "z must be a torch.Tensor, got list") for f in SCORE_FUNCTIONS],
    *[(f, (torch.tensor([1, 2, 3]),), TypeError, "floating-point tensor, got dtype torch.int64") for f in SCORE_FUNCTIONS],
    *[(f, (NAN_LOGITS,), ValueError, r"z contains NaN at index \(0, 1\)") for f in SCORE_FUNCTIONS],
    *[(f, (INF_LOGITS,), ValueError, r"z contains inf at index \(0, 1\)") for f in SCORE_FUNCTIONS],
    *[(f, (torch.zeros(0, 3),), ValueError, r"z is empty \(shape \(0, 3\)\)") for f in SCORE_FUNCTIONS],
    *[(f, (torch.zeros(2, 2, 2),), ValueError, r"z must be 1-D or 2-D, got shape \(2, 2, 2\)") for f in SCORE_FUNCTIONS],
    *[(f, (torch.zeros(2, 3), 2), ValueError, r"dim=2 is out of range for z of shape \(2, 3\)") for f in SCORE_FUNCTIONS],
    *[(f, (torch.zeros(2, 3), -3), ValueError, r"dim=-3 is out of range for z of shape \(2, 3\)") for f in SCORE_FUNCTIONS],
    *[(f, (torch.zeros(2, 3), 1.0), TypeError, "^dim must be an int, got float$") for f in SCORE_FUNCTIONS],
    (softmax, (torch.tensor([1000.0, 1001.0]),), ValueError, "overflows to inf"),
    # --- labels
    (one_hot, ([0, 1], 3), TypeError, "y must be a torch.Tensor, got list"),
    (one_hot, (torch.tensor([0.0, 1.0]), 3), TypeError, "integer class indices.*torch.float32"),
    (one_hot, (torch.tensor([True, False]), 3), TypeError, "integer class indices.*torch.bool"),
    (one_hot, (torch.tensor([[0, 1]]), 3), ValueError, r"y must be 1-D.*shape \(1, 2\)"),
    (one_hot, (torch.tensor([], dtype=torch.long), 3), ValueError, "y is empty"),
    (one_hot, (torch.tensor([0, -1, 2]), 3), ValueError, "negative label -1 at position 1"),
    (one_hot, (torch.tensor([0, 3, 1]), 3), ValueError, "label 3 at position 1, out of range for num_classes=3"),
    (one_hot, (LABELS, 0), ValueError, "num_classes must be at least 1, got 0"),
    (one_hot, (LABELS, 2.5), TypeError, "num_classes must be an int, got float"),
    (one_hot, (LABELS, True), TypeError, "num_classes must be an int, got bool"),
    # --- the hand-written loss
    (cross_entropy_from_probs, (PROBS, torch.tensor([0, 1])), ValueError, "probs has 3 samples but y has 2"),
    (cross_entropy_from_probs, (PROBS, torch.tensor([0, 1, 3])), ValueError, "label 3 at position 2"),
    (cross_entropy_from_probs, (PROBS, PROBS), TypeError, "integer class indices"),
    (cross_entropy_from_probs, (torch.tensor([0.2, 0.8]), torch.tensor([1])), ValueError, r"probs must be 2-D, got shape \(2,\)"),
    (cross_entropy_from_probs, (torch.tensor([[2.0, -1.0]]), torch.tensor([0])), ValueError, "did you pass logits"),
    (cross_entropy_from_probs, (torch.tensor([[math.nan, 1.0]]), torch.tensor([0])), ValueError, "probs contains NaN"),
    (cross_entropy_from_probs, (torch.tensor([[-0.2, 1.2]]), torch.tensor([0])), ValueError, r"probabilities in \[0, 1\].*got -0.2 at index \(0, 0\)"),
    (cross_entropy_from_probs, (torch.tensor([[1.5, -0.5]]), torch.tensor([0])), ValueError, r"probabilities in \[0, 1\].*got 1.5 at index \(0, 0\)"),
    (cross_entropy_from_probs, (WRONG_DIM_PROBS, LABELS), ValueError, r"probs row 0 sums to 0.977395 \(off by -2.3e-02\), not 1 .*wrong dim \(dim=0 instead of dim=1\)"),
    (cross_entropy_from_probs, (torch.tensor([[0.3, 0.3, 0.3]]), torch.tensor([0])), ValueError, r"probs row 0 sums to 0.9 .*torch.float32"),
    # --- data and model
    (toy_data, (torch.long,), TypeError, "floating-point dtype, got torch.int64"),
    (toy_data, (float,), TypeError, "dtype must be a torch.dtype such as torch.float64, got the Python type float"),
    (toy_data, ("float64",), TypeError, "dtype must be a torch.dtype .*got 'float64'"),
    (load_digits_split, (1.5,), ValueError, "test_size must be between 0 and 1, got 1.5"),
    (load_digits_split, (1.0,), ValueError, "test_size must be between 0 and 1, got 1.0"),
    (load_digits_split, (0.0,), ValueError, "test_size must be between 0 and 1, got 0.0"),
    (load_digits_split, ("0.25",), TypeError, "test_size must be a number, got str"),
    (load_digits_split, (0.25, None), TypeError, "seed must be an int, got NoneType"),
    (load_digits_split, (0.25, False), TypeError, "seed must be an int, got bool"),
    (load_digits_split, (0.25, 0, math.inf), ValueError, "validation_size must be a finite number, got inf"),
    (standardize, (X.long(), X), TypeError, "x_train must be a floating-point tensor, got dtype torch.int64"),
    (standardize, (X, X[0]), ValueError, r"x_test must be 2-D, got shape \(4,\)"),
    (standardize, (X[0], X), ValueError, r"x_train must be 2-D, got shape \(4,\)"),
    (standardize, (X[:1], X), ValueError, "x_train needs at least 2 samples for a spread, got 1"),
    (standardize, (NAN_X, X), ValueError, r"x_train contains NaN at index \(2, 1\)"),
    (standardize, (X, INF_X), ValueError, r"x_test contains inf at index \(2, 1\)"),
    (standardize, (X, X[:, :3]), ValueError, "x_train has 4 features but x_test has 3"),
    (standardize, (X[:1], X), ValueError, "x_train needs at least 2 samples"),
    (SoftmaxClassifierModel(), (X.float()[:, :3],), ValueError, r"shape \(samples, 4\), got \(8, 3\)"),
    (SoftmaxClassifierModel(), (X,), TypeError, "x is torch.float64 but the model's weights are torch.float32"),
    (SoftmaxClassifierModel(), ([[1.0] * 4],), TypeError, "x must be a torch.Tensor, got list"),
    # --- training
    (train_hand_written, (X, Y[:5]), ValueError, "x_train has 8 samples but y_train has 5"),
    (train_hand_written, (X, Y + 1), ValueError, r"label 3 at position 0, out of range for num_classes=3 \(labels must be 0\.\.2\)$"),
    (lambda: train_cross_entropy(X, Y, num_classes=True), (), TypeError, "^num_classes must be an int, got bool$"),
    (train_cross_entropy, (X, Y.float()), TypeError, "y_train must hold integer class indices"),
    (train_cross_entropy, (X.long(), Y), TypeError, "x_train must be a floating-point tensor"),
    (train_cross_entropy, (X[0], Y), ValueError, r"x_train must be 2-D, got shape \(4,\)"),
    (train_cross_entropy, (X.tolist(), Y), TypeError, "x_train must be a torch.Tensor, got list"),
    (train_module, (SoftmaxClassifierModel(), X, Y), TypeError, "model parameters are .*float32.* but x_train is torch.float64"),
    (train_module, (torch.nn.Identity(), X, Y), ValueError, "model has no parameters"),
    (train_module, (SoftmaxClassifierModel().double(), X[0], Y), ValueError, r"x_train must be 2-D, got shape \(4,\)"),
    (train_module, (SoftmaxClassifierModel().double(), X, Y + 1), ValueError, "label 3 at position 0, out of range for num_classes=3"),
    (train_cross_entropy, (X, Y + 1), ValueError, "label 3 at position 0, out of range for num_classes=3"),
    (train_module, (SoftmaxClassifierModel().double(), X, Y[:7]), ValueError, "x_train has 8 samples but y_train has 7"),
    (train, (cost, [W], -1), ValueError, "nb_epochs must be at least 0, got -1"),
    (train, (cost, [W], 10, 0.0), ValueError, "lr must be positive, got 0.0"),
    (train, (cost, [W], 10, "0.1"), TypeError, "lr must be a number, got str"),
    (train, (cost, [W], 10, 0.1, 2.5), TypeError, "log_every must be an int, got float"),
    (train, (cost, [W], True), TypeError, "nb_epochs must be an int, got bool"),
    (train, (cost, [W], 10, True), TypeError, "lr must be a number, got bool"),
    (train, (cost, [W], 10, 0.1, -1), ValueError, "log_every must be at least 0, got -1"),
    # --- plotting
    (plot_probabilities, (torch.zeros(3), torch.zeros(4)), ValueError, "must have one shape"),
    (plot_probabilities, (torch.zeros(3), torch.zeros(3), ["a"]), ValueError, "1 class names for 3 logits"),
    (plot_matrix, (torch.zeros(3), "t", "x", "y"), ValueError, "matrix must be 2-D"),
    (plot_matrix, ([[1, 0], [0, 1]], "t", "x", "y"), TypeError, "^matrix must be a torch.Tensor, got list$"),
    (plot_costs, ({},), ValueError, "runs is empty"),
    (plot_costs, ({"a": [1.0, 2.0], "b": [1.0]},), ValueError, "runs must have the same number of epochs"),
    (plot_curves, ([1, 2, 3], {"a": [1.0]}, "t", "x", "y"), ValueError, "curve 'a' has 1 values for 3 x values"),
    (plot_curves, ([1], {}, "t", "x", "y"), ValueError, "curves is empty"),
    (plot_costs, ({"run": []},), ValueError, "run 'run' has no costs"),
    (plot_images, (torch.zeros(2, 8, 8), ["a"], "t"), ValueError, "1 titles for 2 images"),
    (plot_images, (torch.zeros(2, 64), ["a", "b"], "t"), ValueError, "images must be 3-D"),
    # training
    (train, (cost, [W], 10, math.inf), ValueError, "lr must be a finite number, got inf"),
    (train, (cost, [W], 10, math.nan), ValueError, "lr must be a finite number, got nan"),
    (train, (cost, [W], 10, -0.1), ValueError, "lr must be positive, got -0.1"),
    (lambda: train_cross_entropy(X, Y, lr=math.inf), (), ValueError, "lr must be a finite number, got inf"),
    (lambda: train_hand_written(X, Y, lr=1e6, log_every=0), (), ValueError, r"the cost became nan at epoch 1 with lr=1000000.0"),
]


def case_id(case):
    function, _, error, message = case
    name = getattr(function, "__name__", type(function).__name__)
    # The message's words only: a regex's brackets and backslashes make an id that pytest
    # cannot select again by name.
    words = re.sub(r"[^\w .,=-]", "", message)
    return f"{name}-{error.__name__}-{words[:30]}"


@pytest.mark.parametrize("dim", [-2, -1, 0, 1])
def test_every_axis_of_the_logits_is_a_dim(dim):
    for function in SCORE_FUNCTIONS:
        assert function(torch.zeros(2, 3), dim).shape == (2, 3)


@pytest.mark.parametrize(("function", "args", "error", "message"), CASES, ids=map(case_id, CASES))
def test_bad_input_raises_a_named_error(function, args, error, message):
    with pytest.raises(error, match=message):
        function(*args)
