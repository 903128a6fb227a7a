"""Checkers for the exercises at the end of each lesson.

A checker runs the student's function on several cases, edge cases included,
and prints either a pass or the first failing case with a hint. It never
prints the solution: expected values are computed with PyTorch's own
functions and only compared, never shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Case:
    """One call of the student's function, the right answer, and a hint if it fails."""

    name: str
    args: tuple[Any, ...]
    expected: Any
    hint: str


def compare_tensors(got: object, expected: torch.Tensor, atol: float = 1e-5) -> str | None:
    """Describe the first way ``got`` differs from ``expected``; None if it matches."""
    if not isinstance(got, torch.Tensor):
        return f"expected a torch.Tensor, got {type(got).__name__}"
    if got.shape != expected.shape:
        return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}"
    if expected.is_floating_point() != got.is_floating_point():
        kind = "a floating-point" if expected.is_floating_point() else "an integer"
        return f"expected {kind} tensor, got dtype {got.dtype}"
    got_values, expected_values = got.detach().double(), expected.detach().double()
    if torch.isnan(got_values).any():
        return "the result contains nan"
    close = torch.isclose(got_values, expected_values, atol=atol, rtol=1e-4)
    if not close.all():
        index = tuple(int(i) for i in (~close).nonzero()[0])
        return f"wrong value at index {index}"
    return None


def compare_numbers(got: object, expected: float, atol: float = 1e-5) -> str | None:
    """Like :func:`compare_tensors` for a plain number (or a 0-d tensor)."""
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            return f"expected a single number, got a tensor of shape {tuple(got.shape)}"
        got = got.item()
    if not isinstance(got, int | float) or isinstance(got, bool):
        return f"expected a number, got {type(got).__name__}"
    if math.isnan(got):
        return "the result is nan"
    if not math.isclose(got, expected, abs_tol=atol, rel_tol=1e-4):
        return "the value is wrong"
    return None


def run_checks(
    exercise: str,
    fn: Callable[..., Any],
    cases: Sequence[Case],
    compare: Callable[[object, Any], str | None] = compare_tensors,
) -> None:
    """Run ``fn`` on every case; print a pass, or the first failure and its hint.

    Prints rather than returns, so that a check cell in a notebook shows only the message.
    """
    if not callable(fn):
        print(f"✗ {exercise}: expected a function, got {type(fn).__name__}")
        return
    for case in cases:
        args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args)
        try:
            got = fn(*args)
        except NotImplementedError:
            print(f"✗ {exercise}: not written yet (the function raises NotImplementedError)")
            return
        except Exception as error:  # noqa: BLE001 - any error in student code is a hint
            print(f"✗ {exercise}, case '{case.name}': raised {type(error).__name__}: {error}")
            print(f"  Hint: {case.hint}")
            return
        problem = compare(got, case.expected)
        if problem:
            print(f"✗ {exercise}, case '{case.name}': {problem}")
            print(f"  Hint: {case.hint}")
            return
    print(f"✓ {exercise}: all {len(cases)} cases pass")


def _seminar_logits() -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 5, generator=generator)


# --- lesson 01 ---------------------------------------------------------------


def check_softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 01: ``fn(z)`` is the softmax of ``z`` along its last dimension."""
    rows = "each row must sum to 1: sum over the last dimension only (dim=-1, keepdim=True)"
    cases = [
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            None,
            "exp(z) divided by the sum of exp(z)",
        ),
        Case("equal logits", (torch.zeros(4),), None, "equal scores must give equal probabilities"),
        Case("one class", (torch.tensor([7.0]),), None, "a single class has probability 1"),
        Case(
            "negative logits",
            (torch.tensor([-3.0, -1.0, -2.0]),),
            None,
            "exp of a negative number is still positive",
        ),
        Case("4 rows of 5 logits", (_seminar_logits(),), None, rows),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_softmax", fn, cases)


def check_temperature(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Lesson 01: ``fn(z, T)`` is the softmax of ``z / T`` along the last dimension."""
    z = torch.tensor([1.0, 2.0, 3.0])
    cases = [
        Case("T = 1", (z, 1.0), None, "at T = 1 the answer is the plain softmax"),
        Case(
            "T = 0.5", (z, 0.5), None, "divide the logits by T (do not multiply) before the softmax"
        ),
        Case("T = 10", (z, 10.0), None, "a high temperature flattens: divide z by T"),
        Case(
            "rows, T = 2", (_seminar_logits(), 2.0), None, "softmax over the last dimension, dim=-1"
        ),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0] / c.args[1], dim=-1), c.hint) for c in cases]
    run_checks("check_temperature", fn, cases)


# --- lesson 02 ---------------------------------------------------------------


def check_one_hot(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Lesson 02: ``fn(y, num_classes)`` is a float one-hot matrix, one row per label."""
    shape_hint = "make a (len(y), num_classes) float tensor of zeros, then scatter_ ones into it"
    cases = [
        Case("y = [0, 2, 1], 5 classes", (torch.tensor([0, 2, 1]), 5), None, shape_hint),
        Case(
            "last class",
            (torch.tensor([3, 3]), 4),
            None,
            "the label is a column index: class 3 of 4 is the last column",
        ),
        Case(
            "one sample",
            (torch.tensor([1]), 2),
            None,
            "scatter_ needs the index as a column: y.unsqueeze(1)",
        ),
        Case("one class", (torch.tensor([0, 0, 0]), 1), None, "with one class every row is [1.]"),
        Case(
            "num_classes larger than any label",
            (torch.tensor([0, 1]), 6),
            None,
            "the width is num_classes, not y.max() + 1",
        ),
    ]
    cases = [Case(c.name, c.args, F.one_hot(*c.args).float(), c.hint) for c in cases]
    run_checks("check_one_hot", fn, cases)


def check_labels_from_one_hot(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 02: ``fn(y_one_hot)`` recovers the integer labels."""
    hint = "the label of a row is the column of its 1: argmax over dim=1"
    cases = [
        Case(
            "y = [0, 2, 1]",
            (F.one_hot(torch.tensor([0, 2, 1]), 5).float(),),
            torch.tensor([0, 2, 1]),
            hint,
        ),
        Case("one sample", (F.one_hot(torch.tensor([3]), 4).float(),), torch.tensor([3]), hint),
        Case(
            "repeated label",
            (F.one_hot(torch.tensor([1, 1, 0]), 2).float(),),
            torch.tensor([1, 1, 0]),
            "labels are integers (torch.long), one per row",
        ),
    ]
    run_checks("check_labels_from_one_hot", fn, cases)


# --- lesson 03 ---------------------------------------------------------------


def check_cross_entropy(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Lesson 03: ``fn(z, y)`` is the mean cross-entropy of logits ``z`` and labels ``y``."""
    z = _seminar_logits()
    y = torch.tensor([0, 4, 2, 1])
    cases = [
        Case(
            "4 samples",
            (z, y),
            None,
            "the mean over samples of -log(probability of the true class)",
        ),
        Case(
            "one sample",
            (z[:1], y[:1]),
            None,
            "pick each row's true class with y (gather or indexing)",
        ),
        Case(
            "confident and right",
            (torch.tensor([[10.0, 0.0]]), torch.tensor([0])),
            None,
            "a confident right answer costs almost 0",
        ),
        Case(
            "large logits",
            (torch.tensor([[0.0, 200.0, 400.0]]), torch.tensor([0])),
            None,
            "log(softmax(z)) gives -inf here; use F.log_softmax(z, dim=1), which is stable",
        ),
    ]
    cases = [Case(c.name, c.args, F.cross_entropy(*c.args).item(), c.hint) for c in cases]
    run_checks("check_cross_entropy", fn, cases, compare_numbers)


def check_logit_gradient(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Lesson 03: ``fn(z, y)`` is the gradient of the mean cross-entropy with respect to ``z``."""
    z = _seminar_logits()
    y = torch.tensor([0, 4, 2, 1])

    def autograd_gradient(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        z = z.clone().requires_grad_(True)
        return torch.autograd.grad(F.cross_entropy(z, y), z)[0]

    cases = [
        Case(
            "4 samples",
            (z, y),
            None,
            "softmax(z) minus the one-hot targets, divided by the number of samples",
        ),
        Case("one sample", (z[:1], y[:1]), None, "with one sample N = 1: softmax minus one-hot"),
        Case("2 samples", (z[:2], y[:2]), None, "divide by N = len(y): the cost is a mean"),
    ]
    cases = [Case(c.name, c.args, autograd_gradient(*c.args), c.hint) for c in cases]
    run_checks("check_logit_gradient", fn, cases)


# --- lesson 04 ---------------------------------------------------------------


def check_accuracy(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """Lesson 04: ``fn(logits, y)`` is the fraction of rows whose top logit is the true class."""
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [5.0, 4.0, 9.0], [1.0, 2.0, 0.0]])
    cases = [
        Case(
            "half right",
            (logits, torch.tensor([0, 1, 1, 0])),
            0.5,
            "a row's predicted class is the position of its largest logit; "
            "count the rows where it equals the label",
        ),
        Case(
            "all right",
            (logits, torch.tensor([0, 1, 2, 1])),
            1.0,
            "look for the largest logit within each row (across the classes)",
        ),
        Case(
            "all wrong",
            (logits, torch.tensor([1, 0, 0, 0])),
            0.0,
            "a fraction: the number of right rows divided by the number of rows",
        ),
        Case(
            "one sample",
            (logits[2:3], torch.tensor([2])),
            1.0,
            "one prediction per row, even when there is a single row",
        ),
    ]
    run_checks("check_accuracy", fn, cases, compare_numbers)


# --- lesson 06 (the gallery of mistakes) ----------------------------------------


def check_double_softmax_floor(fn: Callable[[int], float]) -> None:
    """Lesson 06: ``fn(num_classes)`` is the lowest cost reachable with softmax applied twice."""
    hint = (
        "the second softmax sees probabilities between 0 and 1: at best the true class "
        "gets 1 and every other class 0 (lesson 06, mistake 6)"
    )
    cases = [
        Case(f"{k} classes", (k,), math.log1p((k - 1) / math.e), hint) for k in (3, 2, 10)
    ]
    run_checks("check_double_softmax_floor", fn, cases, compare_numbers)


# --- lesson 05 ---------------------------------------------------------------


def check_stable_softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 05: ``fn(z)`` is softmax along the last dimension, finite for any finite logits."""
    cases = [
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            None,
            "exp(z) / exp(z).sum() for small logits",
        ),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            None,
            "exp(1000) overflows: subtract the maximum before exp",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1001.0, -1002.0]),),
            None,
            "every exp underflows to 0 (0/0): subtracting the maximum fixes this too",
        ),
        Case(
            "rows with different scales",
            (torch.tensor([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]]),),
            None,
            "take the maximum of each row: z.amax(dim=-1, keepdim=True)",
        ),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_stable_softmax", fn, cases)


def check_logsumexp(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 05: ``fn(z)`` is ``log(sum(exp(z)))`` over the last dimension, computed stably."""
    cases = [
        Case("z = [1, 2, 3]", (torch.tensor([1.0, 2.0, 3.0]),), None, "log of the sum of exp(z)"),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            None,
            "m + log(sum(exp(z - m))) with m = max(z) never overflows",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1000.0]),),
            None,
            "log(0) = -inf: shift by the maximum before exp",
        ),
        Case(
            "rows",
            (torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),),
            None,
            "one result per row: reduce over dim=-1 (no keepdim in the result)",
        ),
    ]
    cases = [Case(c.name, c.args, torch.logsumexp(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_logsumexp", fn, cases)


# --- lesson 06 ---------------------------------------------------------------


def _standardize_reference(x_train: torch.Tensor, x_test: torch.Tensor) -> torch.Tensor:
    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return torch.cat([(x_train - mean) / std, (x_test - mean) / std])


def check_standardize(
    fn: Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
) -> None:
    """Lesson 06: ``fn(x_train, x_test)`` standardises both with the training split's statistics."""
    generator = torch.Generator().manual_seed(0)
    x_train = torch.randn(20, 3, generator=generator, dtype=torch.float64) * 4 + 2
    x_test = torch.randn(5, 3, generator=generator, dtype=torch.float64) * 9 - 1
    constant = x_train.clone()
    constant[:, 1] = 3.0
    cases = [
        Case(
            "train and test",
            (x_train, x_test),
            _standardize_reference(x_train, x_test),
            "use the mean and standard deviation of x_train only (per feature, dim=0) "
            "for both splits",
        ),
        Case(
            "a constant feature",
            (constant, x_test),
            _standardize_reference(constant, x_test),
            "a feature with standard deviation 0 (a blank pixel) must not divide by 0: "
            "divide by 1 instead",
        ),
    ]

    def compare(got: object, expected: torch.Tensor) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return "expected a tuple (x_train_standardised, x_test_standardised)"
        if not all(isinstance(part, torch.Tensor) for part in got):
            return "expected two tensors"
        return compare_tensors(torch.cat(got), expected)

    run_checks("check_standardize", fn, cases, compare)


def check_confusion_matrix(fn: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> None:
    """Lesson 06: ``fn(y_true, y_pred, num_classes)`` counts (true, predicted) pairs."""

    def reference(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
        return torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2).view(
            num_classes, num_classes
        )

    cases = [
        Case(
            "perfect",
            (torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2]), 3),
            None,
            "row = true class, column = predicted class; a perfect classifier fills the diagonal",
        ),
        Case(
            "mistakes",
            (torch.tensor([0, 0, 1, 2, 2]), torch.tensor([1, 0, 1, 0, 2]), 3),
            None,
            "rows are the true classes and columns the predictions (not the other way round)",
        ),
        Case(
            "a class never seen",
            (torch.tensor([0, 0]), torch.tensor([0, 1]), 4),
            None,
            "the matrix is num_classes x num_classes even if some classes never occur",
        ),
    ]
    cases = [Case(c.name, c.args, reference(*c.args), c.hint) for c in cases]
    run_checks("check_confusion_matrix", fn, cases)
