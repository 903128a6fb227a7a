"""Every exercise checker passes the lesson's own solution and catches near misses.

The solutions are read from the lessons' cells tagged ``solution``, so the
answer a student is shown and the answer tested here are the same code. The
wrong answers are near misses (a Bessel-corrected std, the other ``dim``, a
transposed matrix): each must fail, and the hint printed must be the one of
the case that caught it, read from the checker's own case list.
"""

import ast
import math
import re

import jupytext
import pytest
import torch
import torch.nn.functional as F

from conftest import LESSONS
from softmax_course import exercises
from softmax_course.exercises import EXERCISES
from tools.hidden_cases import HIDDEN_CASES


def solution_cells() -> dict[str, list[str]]:
    """Each lesson's cells tagged ``solution``, by lesson name."""
    return {
        source.stem: [
            cell.source
            for cell in jupytext.read(source).cells
            if "solution" in cell.metadata.get("tags", [])
        ]
        for source in LESSONS
    }


def load_solutions() -> dict:
    """Execute every solution cell of every lesson; return the functions they define."""
    namespace = {"torch": torch, "F": F, "math": math}
    for cells in solution_cells().values():
        for source in cells:
            exec(source, namespace)  # noqa: S102 - our own lesson code
    return namespace


SOLUTIONS = load_solutions()
CHECKERS = sorted(name for name in dir(exercises) if name.startswith("check_"))

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
    "check_cost_from_probabilities": "cost_from_probabilities",
    "check_stable_softmax": "my_stable_softmax",
    "check_logsumexp": "my_logsumexp",
    "check_standardize": "my_standardize",
    "check_confusion_matrix": "my_confusion_matrix",
}


def standardize_with(correction=0, eps=0.0, test_stats=False, pooled=False, floor=True):
    """A family of standardisations, right only with the defaults."""

    def standardize(x_train, x_test):
        fit = torch.cat([x_train, x_test]) if pooled else x_train
        mean, std = fit.mean(dim=0), fit.std(dim=0, correction=correction) + eps
        if floor:
            std = torch.where(std > 0, std, torch.ones_like(std))
        test_mean = x_test.mean(dim=0) if test_stats else mean
        test_std = x_test.std(dim=0, correction=correction) if test_stats else std
        return (x_train - mean) / std, (x_test - test_mean) / test_std

    return standardize


def confusion_set_not_add(y_true, y_pred, k):
    matrix = torch.zeros(k, k, dtype=torch.long)
    for true, pred in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[true, pred] = 1
    return matrix


def confusion_vectorised_add(y_true, y_pred, k):
    matrix = torch.zeros(k, k, dtype=torch.long)
    matrix[y_true, y_pred] += 1  # a repeated (true, pred) pair is counted once
    return matrix


def logsumexp_global_max(z):
    m = z.max()
    return m + torch.log(torch.exp(z - m).sum(dim=-1))


def stable_softmax_global_max(z):
    exp_shifted = torch.exp(z - z.max())
    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)


def stable_softmax_row_min(z):
    exp_shifted = torch.exp(z - z.amin(dim=-1, keepdim=True))
    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)


def arange_rows(y):
    return torch.arange(len(y))


# checker -> near-miss wrong answers: (what is wrong, the function)
WRONG = {
    "check_softmax": [
        ("softmax over dim 0", lambda z: z.softmax(dim=0)),
        ("sum without keepdim", lambda z: torch.exp(z) / torch.exp(z).sum(dim=-1)),
        ("sum over the whole tensor", lambda z: torch.exp(z) / torch.exp(z).sum()),
        ("no normalisation", lambda z: torch.exp(z)),
        ("computed in float16", lambda z: F.softmax(z.half(), dim=-1).float()),
    ],
    "check_temperature": [
        ("multiplies by T", lambda z, T: F.softmax(z * T, dim=-1)),
        ("divides the probabilities by T", lambda z, T: F.softmax(z, dim=-1) / T),
        ("divides by T squared", lambda z, T: F.softmax(z / T**2, dim=-1)),
        ("softmax over dim 0", lambda z, T: F.softmax(z / T, dim=0)),
        ("ignores T", lambda z, T: F.softmax(z, dim=-1)),
    ],
    "check_one_hot": [
        ("transposed scatter", lambda y, k: torch.zeros(k, len(y)).scatter_(0, y.unsqueeze(0), 1)),
        ("columns of the identity", lambda y, k: torch.eye(k)[:, y]),
        ("index as a row", lambda y, k: torch.zeros(len(y), k).scatter_(1, y.unsqueeze(0), 1)),
        ("long instead of float", lambda y, k: F.one_hot(y, k)),
        ("width y.max() + 1", lambda y, k: F.one_hot(y).float()),
    ],
    "check_labels_from_one_hot": [
        ("argmax over dim 0", lambda m: m.argmax(dim=0)),
        ("argmin", lambda m: m.argmin(dim=1)),
        ("int32 labels", lambda m: m.argmax(dim=1).int()),
        ("float labels", lambda m: m.argmax(dim=1).float()),
    ],
    "check_cross_entropy": [
        ("log base 2", lambda z, y: -torch.log2(F.softmax(z, dim=1))[arange_rows(y), y].mean()),
        ("sum instead of mean", lambda z, y: -F.log_softmax(z, dim=1)[arange_rows(y), y].sum()),
        ("log_softmax over dim 0", lambda z, y: -F.log_softmax(z, dim=0)[arange_rows(y), y].mean()),
        ("mean over every entry", lambda z, y: -(F.one_hot(y, z.shape[1]) * F.log_softmax(z, dim=1)).mean()),
        ("log of softmax", lambda z, y: F.nll_loss(torch.log(F.softmax(z, dim=1)), y)),
        ("nll_loss on probabilities", lambda z, y: F.nll_loss(F.softmax(z, dim=1), y)),
    ],
    "check_logit_gradient": [
        ("not divided by N", lambda z, y: F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])),
        ("divided by N * C", lambda z, y: (F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / z.numel()),
        ("softmax over dim 0", lambda z, y: (F.softmax(z, dim=0) - F.one_hot(y, z.shape[1])) / len(y)),
        ("sign flipped", lambda z, y: (F.one_hot(y, z.shape[1]) - F.softmax(z, dim=1)) / len(y)),
    ],
    "check_accuracy": [
        ("argmin", lambda logits, y: (logits.argmin(dim=1) == y).float().mean().item()),
        ("count, not fraction", lambda logits, y: (logits.argmax(dim=1) == y).sum().item()),
        ("percent", lambda logits, y: 100 * (logits.argmax(dim=1) == y).float().mean().item()),
        ("argmax over dim 0", lambda logits, y: (logits.argmax(dim=0) == y).float().mean().item()),
    ],
    "check_double_softmax_floor": [
        ("log base 2", lambda k: -math.log2(math.e / (math.e + k - 1))),
        ("e / (e + k)", lambda k: -math.log(math.e / (math.e + k))),
        ("probability, not cost", lambda k: math.e / (math.e + k - 1)),
        ("uniform cost log(k)", lambda k: math.log(k)),
        ("fixed at 3 classes", lambda k: -math.log(math.e / (math.e + 2))),
    ],
    "check_cost_from_probabilities": [
        ("nll_loss on probabilities", lambda probs, y: F.nll_loss(probs, y)),
        ("cross_entropy on probabilities", lambda probs, y: F.cross_entropy(probs, y)),
        ("sum, not mean", lambda probs, y: -torch.log(probs[torch.arange(len(y)), y]).sum()),
        ("log base 2", lambda probs, y: F.nll_loss(torch.log2(probs), y)),
        ("the largest probability", lambda probs, y: -torch.log(probs.amax(dim=1)).mean()),
    ],
    "check_stable_softmax": [
        ("no shift", lambda z: torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)),
        ("global maximum", stable_softmax_global_max),
        ("row minimum", stable_softmax_row_min),
        ("softmax over dim 0", lambda z: F.softmax(z, dim=0)),
    ],
    "check_logsumexp": [
        ("global maximum", logsumexp_global_max),
        ("keepdim", lambda z: torch.logsumexp(z, dim=-1, keepdim=True)),
        ("no shift", lambda z: torch.log(torch.exp(z).sum(dim=-1))),
        ("max only", lambda z: z.amax(dim=-1)),
        ("log base 2", lambda z: torch.logsumexp(z, dim=-1) / math.log(2)),
    ],
    "check_standardize": [
        ("Bessel-corrected std", standardize_with(correction=1)),
        ("test statistics for x_test", standardize_with(test_stats=True)),
        ("statistics of both splits", standardize_with(pooled=True)),
        ("epsilon instead of 1 for a constant feature", standardize_with(eps=1e-8, floor=False)),
        ("divides by 0 for a constant feature", standardize_with(floor=False)),
        ("one tensor, not a tuple", lambda a, b: torch.cat(standardize_with()(a, b))),
    ],
    "check_confusion_matrix": [
        ("transposed", lambda t, p, k: torch.bincount(p * k + t, minlength=k * k).view(k, k)),
        ("sets a cell instead of adding", confusion_set_not_add),
        ("vectorised += drops repeats", confusion_vectorised_add),
        ("float counts", lambda t, p, k: torch.bincount(t * k + p, minlength=k * k).view(k, k).float()),
        ("size from the labels seen", lambda t, p, k: torch.bincount(t * k + p).view(k, k)),
    ],
}

FAILURE = re.compile(r"✗ (?P<checker>\w+), case '(?P<case>[^']*)': (?P<problem>.+)\n  Hint: (?P<hint>.+)\n")


def run(checker_name, fn, capsys) -> str:
    result = getattr(exercises, checker_name)(fn)
    out = capsys.readouterr().out
    assert out == result.message + "\n", "a check prints the message of the result it returns"
    return out


def test_every_checker_is_covered():
    assert set(CHECKERS) == set(CHECKED) == set(WRONG) == set(EXERCISES)
    assert all(len(answers) >= 3 for answers in WRONG.values())


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_cases_have_distinct_names_and_a_hint(checker_name):
    cases = EXERCISES[checker_name].cases
    names = [case.name for case in cases]
    assert cases and len(set(names)) == len(names), names
    assert all(case.hint.strip() for case in cases)


@pytest.mark.parametrize("checker_name", CHECKED)
def test_solution_passes(checker_name, capsys):
    out = run(checker_name, SOLUTIONS[CHECKED[checker_name]], capsys)
    assert out.startswith(f"✓ {checker_name}: all "), out


@pytest.mark.parametrize(
    ("checker_name", "wrong"),
    [(name, fn) for name, answers in WRONG.items() for _, fn in answers],
    ids=[f"{name}-{what}" for name, answers in WRONG.items() for what, _ in answers],
)
def test_near_miss_fails_with_its_cases_hint(checker_name, wrong, capsys):
    out = run(checker_name, wrong, capsys)
    failure = FAILURE.fullmatch(out)
    assert failure and failure["checker"] == checker_name, out
    hints = {case.name: case.hint for case in EXERCISES[checker_name].cases}
    assert failure["hint"] == hints[failure["case"]], out


@pytest.mark.parametrize("checker_name", CHECKED)
def test_solution_passes_the_hidden_cases_too(checker_name):
    exercise = EXERCISES[checker_name]
    result = exercise.check(SOLUTIONS[CHECKED[checker_name]], every_case(checker_name))
    assert result.status == "pass" and result.points == result.max_points, result.message


@pytest.mark.parametrize("checker_name", CHECKED)
def test_unwritten_stub_is_reported(checker_name, capsys):
    def stub(*args):
        raise NotImplementedError

    assert "not written yet" in run(checker_name, stub, capsys)


def test_checkers_never_print_the_expected_values(capsys):
    out = run("check_softmax", lambda z: torch.zeros_like(z), capsys)
    assert "0.09" not in out and "0.2447" not in out


# --- hints nudge; they never contain the solution's code ---------------------

MIN_FRAGMENT = 12  # shorter pieces ("dim=1", "len(y)") are words a hint may use


def normalise(code: str) -> str:
    """Code as a hint might quote it: spaces only between words, no backticks or module prefixes."""
    code = " ".join(code.replace("`", " ").split())
    code = re.sub(r" ?([^\w ]) ?", r"\1", code)
    return re.sub(r"(?<![\w.])(torch|F|math|np|nn)\.", "", code)


def code_fragments(source: str) -> set[str]:
    """Every expression, simple statement and call-argument list of a solution cell."""
    fragments = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.expr) and not isinstance(node, ast.Name | ast.Constant):
            fragments.add(ast.unparse(node))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.Return | ast.Expr):
            fragments.add(ast.unparse(node).removeprefix("return "))
        if isinstance(node, ast.Call) and len(node.args) + len(node.keywords) > 1:
            fragments.add(", ".join(ast.unparse(arg) for arg in [*node.args, *node.keywords]))
    return {normalise(f) for f in fragments if len(normalise(f)) >= MIN_FRAGMENT}


def solution_fragments() -> dict[str, set[str]]:
    """Each code fragment of every lesson's solutions, with the lessons it comes from."""
    fragments: dict[str, set[str]] = {}
    for lesson, cells in solution_cells().items():
        for cell in cells:
            for fragment in code_fragments(cell):
                fragments.setdefault(fragment, set()).add(lesson)
    return fragments


SOLUTION_FRAGMENTS = solution_fragments()


def as_token(fragment: str) -> str:
    """A pattern for ``fragment`` not glued to a longer name (``softmax(z)`` in ``log_softmax(z)``)."""
    before = r"(?<![\w.])" if re.match(r"\w", fragment) else ""
    after = r"(?!\w)" if re.search(r"\w$", fragment) else ""
    return before + re.escape(fragment) + after


def quoted_fragments(hint: str) -> list[str]:
    """The solution fragments a hint quotes, as whole tokens, longest first, none inside another."""
    text = normalise(hint)
    found = [fragment for fragment in SOLUTION_FRAGMENTS if re.search(as_token(fragment), text)]
    found.sort(key=len, reverse=True)
    return [f for i, f in enumerate(found) if not any(f in longer for longer in found[:i])]


def test_solution_fragments_are_found():
    assert len(LESSONS) >= 6 and len(SOLUTION_FRAGMENTS) >= 30
    assert "logits.argmax(dim=1)" in SOLUTION_FRAGMENTS
    assert "dim=-1,keepdim=True" in SOLUTION_FRAGMENTS
    assert quoted_fragments("compare `logits.argmax( dim=1 )` with y") == ["logits.argmax(dim=1)"]
    assert quoted_fragments("probability e / (e + num_classes - 1)") == ["e/(e+num_classes-1)"]
    assert quoted_fragments("the predicted class is the largest logit of each row") == []


#: Code in a hint: a method call, a keyword argument, a call with a dimension or a comma,
#: or a call inside a call.
CODE_IN_HINT = re.compile(r"\.\w+\(|\b\w+=\w|\w\([^)]*(\bdim\b|,)[^)]*\)|\w\(\w+\(")


def every_case(checker_name: str) -> list:
    """The cases a student sees and the grader's hidden ones: every hint either can print."""
    return [*EXERCISES[checker_name].cases, *HIDDEN_CASES.get(checker_name, ())]


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_no_hint_contains_solution_code(checker_name):
    """The one hint-leak test: no hint reads as code, and none quotes a solution's fragment."""
    leaks = [
        f"case {case.name!r} reads as code: {case.hint}"
        for case in every_case(checker_name)
        if CODE_IN_HINT.search(case.hint)
    ] + [
        f"case {case.name!r} quotes {fragment!r} (solution of "
        f"{', '.join(sorted(SOLUTION_FRAGMENTS[fragment]))}): {case.hint}"
        for case in every_case(checker_name)
        for fragment in quoted_fragments(case.hint)
    ]
    assert not leaks, "\n".join(leaks)


# --- lessons 09 and 10 -----------------------------------------------------------
# Their checkers, the functions that answer them, and their wrong answers (the sources in
# tests/wrong_answers.py, defined here); tests/test_lessons_09_10.py runs them all.
def _defined(source: str, function: str):
    namespace = {"torch": torch, "F": F, "math": math}
    exec(source, namespace)  # noqa: S102 - the course's own wrong answers
    return namespace[function]


def _add_lessons_09_10() -> None:
    from wrong_answers import WRONG_ANSWERS

    for name in ("check_sgd_step", "check_label_smoothing_cross_entropy",
                 "check_expected_calibration_error", "check_top_k_accuracy"):  # fmt: skip
        function = EXERCISES[name].function
        CHECKED[name] = function
        WRONG[name] = [
            (what, _defined(source, function)) for what, source in WRONG_ANSWERS[name].items()
        ]


_add_lessons_09_10()
