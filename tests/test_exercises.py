"""Every exercise checker passes the lesson's own solution and catches wrong answers.

The solutions are read from the lessons' cells tagged ``solution``, so the
answer a student is shown and the answer tested here are the same code.
"""

import math
from pathlib import Path

import jupytext
import pytest
import torch
import torch.nn.functional as F

from softmax_course import exercises

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def load_solutions() -> dict:
    """Execute every solution cell of every lesson; return the functions they define."""
    namespace = {"torch": torch, "F": F, "math": math}
    for source in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        for cell in jupytext.read(source).cells:
            if "solution" in cell.metadata.get("tags", []):
                exec(cell.source, namespace)  # noqa: S102 - our own lesson code
    return namespace


SOLUTIONS = load_solutions()

# checker -> the solution function the lesson defines for it
CHECKED = {
    "check_softmax": "my_softmax",
    "check_temperature": "softmax_with_temperature",
    "check_one_hot": "my_one_hot",
    "check_labels_from_one_hot": "labels_from_one_hot",
    "check_cross_entropy": "my_cross_entropy",
    "check_logit_gradient": "logit_gradient",
    "check_accuracy": "my_accuracy",
    "check_double_softmax_floor": "double_softmax_floor",
    "check_stable_softmax": "my_stable_softmax",
    "check_logsumexp": "my_logsumexp",
    "check_standardize": "my_standardize",
    "check_confusion_matrix": "my_confusion_matrix",
}


def bincount_matrix_transposed(y_true, y_pred, k):
    return torch.bincount(y_pred * k + y_true, minlength=k * k).view(k, k)


# checker -> wrong answers, each with the text its failure message must contain
WRONG = {
    "check_softmax": [
        (lambda z: torch.exp(z) / torch.exp(z).sum(), "case '4 rows of 5 logits'"),
        (lambda z: torch.exp(z), "case 'z = [1, 2, 3]': wrong value"),
        (lambda z: z.softmax(dim=0), "4 rows of 5 logits"),
    ],
    "check_temperature": [
        (lambda z, T: F.softmax(z * T, dim=-1), "case 'T = 0.5'"),
        (lambda z, T: F.softmax(z, dim=-1), "divide the logits by T"),
    ],
    "check_one_hot": [
        (lambda y, k: F.one_hot(y, k), "expected a floating-point tensor"),
        (lambda y, k: F.one_hot(y).float(), "expected shape (3, 5), got (3, 3)"),
        (lambda y, k: torch.zeros(len(y), k).scatter_(1, y.unsqueeze(0), 1), "Hint:"),
    ],
    "check_labels_from_one_hot": [
        (lambda m: m.argmax(dim=0), "argmax over dim=1"),
        (lambda m: m.argmax(dim=1).float(), "expected an integer tensor"),
    ],
    "check_cross_entropy": [
        (lambda z, y: F.nll_loss(torch.log(F.softmax(z, dim=1)), y), "use F.log_softmax"),
        (lambda z, y: F.nll_loss(F.softmax(z, dim=1), y), "the value is wrong"),
        (lambda z, y: -F.log_softmax(z, dim=1)[torch.arange(len(y)), y].sum(), "case '4 samples'"),
    ],
    "check_logit_gradient": [
        (lambda z, y: F.softmax(z, dim=1) - F.one_hot(y, z.shape[1]), "divided by the number of samples"),
        (lambda z, y: (F.one_hot(y, z.shape[1]) - F.softmax(z, dim=1)) / len(y), "wrong value"),
    ],
    "check_accuracy": [
        (lambda logits, y: (logits.argmax(dim=1) == y).sum().item(), "case 'half right'"),
        (lambda logits, y: (logits.argmax(dim=0) == y).float().mean().item(), "raised"),
        (lambda logits, y: (logits.argmin(dim=1) == y).float().mean().item(), "case 'half right'"),
        (lambda logits, y: 100 * (logits.argmax(dim=1) == y).float().mean().item(), "case 'half right'"),
    ],
    "check_double_softmax_floor": [
        (lambda k: -math.log(math.e / (math.e + 2)), "case '2 classes'"),
        (lambda k: 0.0, "at best the true class gets 1"),
        (lambda k: -math.log(1 / k), "case '3 classes'"),
        (lambda k: -math.log(math.e / (math.e + k)), "case '3 classes'"),
    ],
    "check_stable_softmax": [
        (lambda z: torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True), "subtract the maximum"),
        (lambda z: torch.exp(z - z.max()) / torch.exp(z - z.max()).sum(dim=-1, keepdim=True), "case 'rows with different scales'"),
    ],
    "check_logsumexp": [
        (lambda z: torch.log(torch.exp(z).sum(dim=-1)), "case 'large logits'"),
        (lambda z: torch.logsumexp(z, dim=-1, keepdim=True), "expected shape (), got (1,)"),
    ],
    "check_standardize": [
        (lambda a, b: ((a - a.mean(0)) / a.std(0, correction=0), (b - b.mean(0)) / b.std(0, correction=0)), "x_train only"),
        (lambda a, b: ((a - a.mean(0)) / a.std(0, correction=0), (b - a.mean(0)) / a.std(0, correction=0)), "must not divide by 0"),
        (lambda a, b: torch.cat([a, b]), "expected a tuple"),
    ],
    "check_confusion_matrix": [
        (bincount_matrix_transposed, "rows are the true classes"),
        (lambda t, p, k: torch.zeros(k, k), "expected an integer tensor"),
    ],
}


def run(checker_name, fn, capsys) -> str:
    getattr(exercises, checker_name)(fn)
    return capsys.readouterr().out


def test_every_checker_is_covered():
    checkers = {name for name in dir(exercises) if name.startswith("check_")}
    assert checkers == set(CHECKED) == set(WRONG)
    assert all(len(answers) >= 2 for answers in WRONG.values())


@pytest.mark.parametrize("checker_name", CHECKED)
def test_solution_passes(checker_name, capsys):
    out = run(checker_name, SOLUTIONS[CHECKED[checker_name]], capsys)
    assert out.startswith(f"✓ {checker_name}: all "), out


@pytest.mark.parametrize(
    ("checker_name", "wrong", "expected"),
    [(name, fn, text) for name, answers in WRONG.items() for fn, text in answers],
)
def test_wrong_answer_fails_with_its_hint(checker_name, wrong, expected, capsys):
    out = run(checker_name, wrong, capsys)
    assert out.startswith(f"✗ {checker_name}"), out
    assert expected in out, out


@pytest.mark.parametrize("checker_name", CHECKED)
def test_unwritten_stub_is_reported(checker_name, capsys):
    def stub(*args):
        raise NotImplementedError

    assert "not written yet" in run(checker_name, stub, capsys)


def test_checkers_never_print_the_expected_values(capsys):
    out = run("check_softmax", lambda z: torch.zeros_like(z), capsys)
    assert "0.09" not in out and "0.2447" not in out
