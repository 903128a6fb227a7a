"""Every exercise checker passes the lesson's own solution and catches near misses.

The solutions are read from the lessons' cells tagged ``solution``, so the
answer a student is shown and the answer tested here are the same code. The
wrong answers (``tests/wrong_answers.py``) are near misses (a Bessel-corrected
std, the other ``dim``, a transposed matrix): each must fail, and the hint
printed must be the one of the case that caught it, read from the exercise's
own case list, or break the exercise's rule, and say so. Each is also graded as
``make grade`` grades it, with the sandbox's probe run in this process: less than
full marks, with a case's hint or the broken rule.
"""

import ast
import contextlib
import io
import json
import math
import re
import sys
import tempfile
import warnings
from pathlib import Path

import jupytext
import pytest
import torch
import torch.nn.functional as F
from wrong_answers import WRONG_ANSWERS

from conftest import LESSONS
from softmax_course import exercises
from softmax_course.exercises import EXERCISES
from softmax_course.exercises.rules import broken_rule
from softmax_course.exercises.runner import run_checks
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


SOLUTION_CELLS = solution_cells()


def load_solutions() -> dict:
    """Execute every solution cell of every lesson; return the functions they define."""
    namespace = {"torch": torch, "F": F, "math": math}
    for cells in SOLUTION_CELLS.values():
        for source in cells:
            exec(source, namespace)  # noqa: S102 - our own lesson code
    return namespace


SOLUTIONS = load_solutions()
CHECKERS = sorted(EXERCISES)
PRELUDE = "import math\nimport torch\nimport torch.nn.functional as F\n"


def wrong_function(checker_name: str, source: str):
    """The function a wrong answer's source defines, under the exercise's declared name."""
    namespace = {"torch": torch, "F": F, "math": math}
    exec(source, namespace)  # noqa: S102 - the test's own table
    return namespace[EXERCISES[checker_name].function]


FAILURE = re.compile(r"✗ (?P<checker>\w+), case '(?P<case>[^']*)': (?P<problem>.+)\n  Hint: (?P<hint>.+)\n")


def run(checker_name, fn, capsys, sources=()) -> str:
    exercise = EXERCISES[checker_name]
    result = run_checks(exercise, fn, list(sources))
    print(result.message)
    out = capsys.readouterr().out
    assert out == result.message + "\n"
    return out


def test_every_exercise_is_declared_with_its_wrong_answers():
    assert set(CHECKERS) == set(WRONG_ANSWERS) == set(EXERCISES)
    assert all(len(answers) >= 3 for answers in WRONG_ANSWERS.values())
    for name, exercise in EXERCISES.items():
        assert getattr(exercises, name) == exercise.check, name
        assert exercise.function in SOLUTIONS, f"no lesson solves {exercise.function}"


def test_each_lesson_s_exercises_are_the_checks_its_cells_call_in_order():
    """The grader grades a lesson's exercises as ``_declared`` finds them in the lesson's module."""
    declared = exercises._declared()
    topics = [lesson.stem.split("_", 1)[1] for lesson in LESSONS]
    assert list(declared) == sorted(topics)
    for lesson, topic in zip(LESSONS, topics, strict=True):
        calls = re.findall(r"^(check_\w+)\(", lesson.read_text(encoding="utf-8"), re.MULTILINE)
        assert [exercise.name for exercise in declared[topic]] == list(dict.fromkeys(calls)), topic
    assert {name for found in declared.values() for name in (e.name for e in found)} == set(EXERCISES)


def test_the_package_lists_its_checks_and_refuses_other_names():
    assert dir(exercises) == sorted(exercises.__all__)
    assert {"check_softmax", "EXERCISES", "reveal_prediction"} <= set(dir(exercises))
    with pytest.raises(AttributeError, match="^module 'softmax_course.exercises' has no attribute 'check_nothing'$"):
        exercises.check_nothing  # noqa: B018 - the lookup is the test


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_cases_have_distinct_names_and_a_hint(checker_name):
    cases = EXERCISES[checker_name].cases
    names = [case.name for case in cases]
    assert cases and len(set(names)) == len(names), names
    assert all(case.hint.strip() for case in cases)


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_solution_passes_and_keeps_the_rules(checker_name, capsys):
    exercise = EXERCISES[checker_name]
    cells = [cell for cells in SOLUTION_CELLS.values() for cell in cells]
    out = run(checker_name, SOLUTIONS[exercise.function], capsys, [PRELUDE, *cells])
    assert out.startswith(f"✓ {checker_name}: all "), out


@pytest.mark.parametrize(
    ("checker_name", "source"),
    [(name, source) for name, answers in WRONG_ANSWERS.items() for source in answers.values()],
    ids=[f"{name}-{what}" for name, answers in WRONG_ANSWERS.items() for what in answers],
)
def test_wrong_answer_fails_with_its_cases_hint_or_its_rule(checker_name, source, capsys):
    exercise = EXERCISES[checker_name]
    out = run(checker_name, wrong_function(checker_name, source), capsys, [PRELUDE, source])
    if exercise.rules and broken_rule(exercise.rules, [PRELUDE, source], exercise.function):
        assert out.startswith(f"✗ {checker_name}: ") and "the grader gives this exercise 0" in out, out
        return
    failure = FAILURE.fullmatch(out)
    assert failure and failure["checker"] == checker_name, out
    hints = {case.name: case.hint for case in exercise.cases}
    assert failure["hint"] == hints[failure["case"]], out


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_solution_passes_the_hidden_cases_too(checker_name):
    exercise = EXERCISES[checker_name]
    solution = SOLUTIONS[exercise.function]
    for case in every_case(checker_name):
        got = solution(*fresh_args(case))
        assert exercise.problem(case.args, got) is None, case.name


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_no_reference_warns(checker_name):
    """A check cell computes the reference in the student's kernel: a warning would print there."""
    exercise = EXERCISES[checker_name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for case in every_case(checker_name):
            exercise.reference(*fresh_args(case))


@pytest.mark.parametrize("checker_name", CHECKERS)
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
    for lesson, cells in SOLUTION_CELLS.items():
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


def fresh_args(case) -> tuple:
    """A case's arguments, each tensor copied, as the check cell passes them: an answer that
    changes its input in place cannot change the case."""
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args)


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


def test_a_check_cell_applies_the_exercise_s_rules_in_its_kernel():
    """In a kernel, the check reads the cells run so far (``In``): an alias of F.softmax breaks
    the rule there, as it does for the grader."""
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "import torch\nimport torch.nn.functional as F\nfrom softmax_course.exercises import check_softmax",
        "s = F.softmax\n\ndef my_softmax(z):\n    return s(z, dim=-1)",
        "check_softmax(my_softmax)",
        "def my_softmax(z):\n    e = torch.exp(z - z.amax(dim=-1, keepdim=True))\n    return e / e.sum(dim=-1, keepdim=True)",
        "check_softmax(my_softmax)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, kernel_name="python3").execute()
    broken, kept = (notebook.cells[i].outputs[0]["text"] for i in (2, 4))
    assert broken.startswith("✗ check_softmax: my_softmax uses softmax (the exercise says: from the definition"), broken
    assert kept.startswith("✓ check_softmax: all "), kept


# --- no check accepts nan; the grader scores every case and names the first failure --------


def poisoned(value: object, everywhere: bool) -> object:
    """``value`` with its first number (or every one) made nan; integer tensors become float."""
    if isinstance(value, torch.Tensor):
        value = value.detach().double() if not value.is_floating_point() else value.detach().clone()
        if everywhere:
            return value.fill_(math.nan)
        value.view(-1)[0] = math.nan
        return value
    if isinstance(value, int | float):
        return math.nan
    assert isinstance(value, tuple), f"no nan version of {type(value).__name__}"
    return tuple(poisoned(part, everywhere) for part in value)


def solution_answers(checker_name: str) -> list:
    """The lesson's solution's answer to every case, hidden ones included."""
    solution = SOLUTIONS[EXERCISES[checker_name].function]
    return [
        solution(*fresh_args(case))
        for case in every_case(checker_name)
    ]


@pytest.mark.parametrize("everywhere", [False, True], ids=["one nan", "all nan"])
@pytest.mark.parametrize("checker_name", CHECKERS)
def test_no_check_accepts_a_nan_answer(checker_name, everywhere):
    exercise = EXERCISES[checker_name]
    for case, answer in zip(every_case(checker_name), solution_answers(checker_name), strict=True):
        assert exercise.problem(case.args, poisoned(answer, everywhere)) is not None, case.name


def wire_results(answers: list) -> list[dict]:
    """What the sandbox sends back for these answers, one result per case."""
    from softmax_course.exercises.wire import encode

    return [{"value": encode(answer)} for answer in answers]


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_the_grader_scores_the_hidden_cases_too(checker_name):
    from tools.grade import score

    hidden = HIDDEN_CASES[checker_name]
    visible = EXERCISES[checker_name].cases
    assert hidden, f"{checker_name} has no hidden case"
    results = wire_results(solution_answers(checker_name))
    assert score(EXERCISES[checker_name], {"results": results}) == (
        len(visible) + len(hidden), len(visible) + len(hidden), ""
    )
    last_hidden_wrong = [*results[:-1], {"error": "ValueError: wrong on a hidden case"}]
    points, total, feedback = score(EXERCISES[checker_name], {"results": last_hidden_wrong})
    assert (points, total) == (total - 1, len(visible) + len(hidden))
    assert feedback == f"a case failed (raised ValueError: wrong on a hidden case). Hint: {hidden[-1].hint}"


def test_the_grader_s_feedback_names_the_first_failing_case():
    from tools.grade import score

    exercise = EXERCISES["check_softmax"]
    cases = every_case("check_softmax")
    results = wire_results(solution_answers("check_softmax"))
    first, later = 1, len(cases) - 1
    assert cases[first].hint != cases[later].hint
    results[first] = {"error": "ValueError: the first failure"}
    results[later] = {"value": wire_results([poisoned(solution_answers("check_softmax")[later], True)])[0]["value"]}
    points, total, feedback = score(exercise, {"results": results})
    assert (points, total) == (len(cases) - 2, len(cases))
    assert feedback == f"a case failed (raised ValueError: the first failure). Hint: {cases[first].hint}"
    results[first] = wire_results(solution_answers("check_softmax"))[first]
    assert score(exercise, {"results": results})[2] == (
        f"a case failed (the result contains nan). Hint: {cases[later].hint}"
    )


#: Answers of forms no exercise asks for: each must get a problem to print, never a crash
#: (in the check cell a traceback instead of a hint; in the grader, a class left ungraded).
ODD_ANSWERS = {
    "None": None,
    "a string": "0.5",
    "a bool": True,
    "inf": math.inf,
    "an empty tuple": (),
    "three tensors": (torch.zeros(2), torch.zeros(2), torch.zeros(2)),
    "two tensors of other shapes": (torch.zeros(3, 20), torch.zeros(2, 3)),
    "an empty tensor": torch.zeros(0),
    "a 3-D tensor": torch.zeros(2, 3, 4),
}


def transposed(answer: object) -> object | None:
    """``answer`` with each of its matrices transposed; None if that changes nothing."""
    parts = answer if isinstance(answer, tuple) else (answer,)
    flipped = tuple(p.T if isinstance(p, torch.Tensor) and p.dim() == 2 else p for p in parts)
    if all(torch.equal(a, b) if isinstance(a, torch.Tensor) and a.shape == b.shape else a is b
           for a, b in zip(parts, flipped, strict=True)):  # fmt: skip
        return None
    return flipped if isinstance(answer, tuple) else flipped[0]


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_an_answer_of_any_form_gets_a_problem_not_a_crash(checker_name):
    exercise = EXERCISES[checker_name]
    for case, right in zip(every_case(checker_name), solution_answers(checker_name), strict=True):
        answers = {**ODD_ANSWERS, "the right answer transposed": transposed(right)}
        for what, answer in answers.items():
            if what == "the right answer transposed" and answer is None:
                continue  # no matrix in it, or a symmetric one
            problem = exercise.problem(case.args, answer)
            assert isinstance(problem, str) and problem, (case.name, what)
            # Each comparison names the problem itself; the catch-all is for the unforeseen.
            assert not problem.startswith("the function returned something"), (what, problem)


def test_standardize_names_the_split_and_the_shape_that_differ():
    exercise = EXERCISES["check_standardize"]
    args = exercise.cases[0].args
    train, test = (part.T for part in exercise.reference(*args))
    assert exercise.problem(args, (train, test)) == "x_train standardised: expected shape (20, 3), got (3, 20)"
    right_train = exercise.reference(*args)[0]
    assert exercise.problem(args, (right_train, test)) == "x_test standardised: expected shape (5, 3), got (3, 5)"


def test_a_comparison_that_raises_is_reported_as_the_answer_s_problem():
    from softmax_course.exercises.runner import Case, Exercise

    def compare(got, expected):
        return None if got == expected else f"{got} is not {expected}" if got + 0 else None

    exercise = Exercise("check_x", "x", (Case("one", (1,), "a hint"),), lambda v: v, compare)
    assert exercise.problem((1,), 1) is None
    assert exercise.problem((1,), "text") == (
        'the function returned something of another form than expected (can only concatenate str '
        '(not "int") to str)'
    )

    def compare_at_length(got, expected):
        raise ValueError(f"the answer {got!r} is no {expected!r}")

    long_winded = Exercise("check_x", "x", (Case("one", (1,), "a hint"),), lambda v: v, compare_at_length)
    problem = long_winded.problem((1,), "word " * 100)
    assert problem == f"the function returned something of another form than expected (the answer {'word ' * 100!r}"[:200]
    assert len(problem) == 200  # a line of feedback, not the whole error


def test_a_check_names_the_first_failing_case_not_a_later_one(capsys):
    from softmax_course.exercises.runner import Case, Exercise, compare_numbers

    cases = tuple(Case(f"case {n}", (float(n),), f"hint {n}") for n in range(4))
    exercise = Exercise("check_double", "double", cases, lambda x: 2 * x, compare_numbers)
    wrong_from_one = exercise.check(lambda x: 2 * x if x < 1 else -x)
    assert wrong_from_one.status == "fail"
    assert capsys.readouterr().out == "✗ check_double, case 'case 1': the value is wrong\n  Hint: hint 1\n"


# --- the wire: what crosses the sandbox's wall, and nothing else ------------------------------


def test_every_plain_value_crosses_the_wire_unchanged():
    from softmax_course.exercises.wire import decode, encode

    values = [
        torch.tensor([[1.5, -2.0], [0.25, 3.0]]),
        torch.tensor([0.1], dtype=torch.float16),
        torch.tensor([0.1], dtype=torch.bfloat16),
        torch.arange(6, dtype=torch.int32).reshape(3, 1, 2),
        torch.tensor([True, False]),
        torch.tensor([255, 0], dtype=torch.uint8),
        torch.zeros(0, 3, dtype=torch.int64),
        torch.tensor(2.5, dtype=torch.float64),
        torch.eye(3)[:, 1],  # a strided view
        torch.ones(2, requires_grad=True) * 2,
        True, None, "word", -7, 2.5,
    ]
    for value in values:
        back = decode(encode(value))
        assert type(back) is type(value), value
        if isinstance(value, torch.Tensor):
            assert back.dtype == value.dtype and back.shape == value.shape, value
            assert torch.equal(back, value.detach()) and not back.requires_grad, value
        else:
            assert back == value
    assert decode(encode((1, [2.0, "x"], (None,)))) == (1, [2.0, "x"], (None,))
    assert encode(torch.tensor([[1.0, 2.0]])) == {"tensor": [1.0, 2.0], "dtype": "float32", "shape": [1, 2]}
    assert encode(torch.tensor([3, 4])) == {"tensor": [3, 4], "dtype": "int64", "shape": [2]}
    assert encode([True]) == {"list": [{"plain": True}]} and encode((1.0,)) == {"tuple": [{"float": 1.0}]}


def test_nan_and_infinity_cross_the_wire_as_words():
    from softmax_course.exercises.wire import decode, encode

    special = torch.tensor([math.nan, math.inf, -math.inf, 1.0])
    assert encode(special)["tensor"] == ["nan", "inf", "-inf", 1.0]
    back = decode(encode(special))
    assert torch.isnan(back[0]) and back[1:].tolist() == [math.inf, -math.inf, 1.0]
    assert [encode(x) for x in (math.nan, math.inf, -math.inf)] == [{"float": "nan"}, {"float": "inf"}, {"float": "-inf"}]
    assert math.isnan(decode({"float": "nan"})) and decode({"float": "-inf"}) == -math.inf
    assert decode({"float": 3}) == 3.0 and type(decode({"float": 3})) is float
    assert decode({"tensor": [1, "inf"], "dtype": "float64", "shape": [2]}).tolist() == [1.0, math.inf]


def test_what_has_no_plain_form_is_named_not_sent():
    from softmax_course.exercises.wire import MAX_DEPTH, MAX_NUMBERS, Unreadable, decode, encode

    assert encode(len) == {"unreadable": "a builtin_function_or_method"}
    assert encode(torch.zeros(2, dtype=torch.complex64)) == {"unreadable": "a tensor of dtype torch.complex64"}
    assert encode(torch.zeros(MAX_NUMBERS + 1, dtype=torch.bool)) == {"unreadable": f"a tensor of {MAX_NUMBERS + 1} numbers"}
    assert encode(torch.zeros(2, dtype=torch.uint16)) == {"unreadable": "a tensor of dtype torch.uint16"}
    largest = torch.zeros(MAX_NUMBERS, dtype=torch.bool)
    assert decode(encode(largest)).shape == largest.shape
    assert decode({"list": [{"plain": 1}] * 64}) == [1] * 64
    assert encode(tuple(range(100))) == {"tuple": [{"plain": i} for i in range(64)]}
    deep: object = 1
    for _ in range(MAX_DEPTH):
        deep = [deep]
    assert decode(encode(deep)) == deep
    too_deep = encode([deep])
    for _ in range(MAX_DEPTH):
        too_deep = too_deep["list"][0]
    assert too_deep == {"list": [{"unreadable": "nested too deeply"}]}
    unreadable = decode({"unreadable": "a module" + "!" * 100})
    assert isinstance(unreadable, Unreadable) and repr(unreadable) == unreadable.what == "a module" + "!" * 72


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (None, "not an encoded value"),
        ({}, "not an encoded value"),
        ({"plain": 1, "float": 1.0}, "not an encoded value"),
        ({"tensor": [1.0], "dtype": "float32"}, "not an encoded value"),
        ({"tensor": [1.0], "dtype": "complex64", "shape": [1]}, "unknown dtype 'complex64'"),
        ({"tensor": [1.0], "dtype": ["float32"], "shape": [1]}, "unknown dtype \"['float32']\""),
        ({"tensor": [1.0], "dtype": "y" * 50, "shape": [1]}, f"unknown dtype {'y' * 40!r}"),
        ({"tensor": [1.0], "dtype": "float32", "shape": 1}, "a tensor's shape must be a list of sizes"),
        ({"tensor": [1.0], "dtype": "float32", "shape": [-1]}, "a tensor's shape must be a list of sizes"),
        ({"tensor": [1.0], "dtype": "float32", "shape": [True]}, "a tensor's shape must be a list of sizes"),
        ({"tensor": [1.0], "dtype": "float32", "shape": [1.0]}, "a tensor's shape must be a list of sizes"),
        ({"tensor": "1.0", "dtype": "float32", "shape": [1]}, "a tensor's values must be a list"),
        ({"tensor": [1.0, 2.0], "dtype": "float32", "shape": [3]}, "a tensor's values do not fill its shape"),
        ({"tensor": [1.0], "dtype": "float32", "shape": [1, 0]}, "a tensor's values do not fill its shape"),
        ({"tensor": ["x" * 50], "dtype": "float32", "shape": [1]}, f"not a number: {'x' * 40!r}"),
        ({"tensor": [True], "dtype": "float32", "shape": [1]}, "not a number: 'True'"),
        ({"tensor": ["1.0"], "dtype": "float32", "shape": [1]}, "not a number: '1.0'"),
        ({"tensor": [1], "dtype": "bool", "shape": [1]}, "a bool tensor holds a value that is not a bool"),
        ({"tensor": [1.0], "dtype": "int64", "shape": [1]}, "an integer tensor holds a value that is not an integer"),
        ({"tensor": [True], "dtype": "int64", "shape": [1]}, "an integer tensor holds a value that is not an integer"),
        ({"tensor": [300], "dtype": "int8", "shape": [1]}, "not a tensor: value cannot be converted to type int8 without overflow"),
        ({"tensor": [2**70], "dtype": "int64", "shape": [1]}, "not a tensor: "),
        ({"float": 2**2000}, "not a number: "),
        ({"plain": 1.5}, "not a plain value"),
        ({"plain": [1]}, "not a plain value"),
        ({"float": "nan "}, "not a number: 'nan '"),
        ({"tuple": {"plain": 1}}, "not a tuple"),
        ({"list": [{"plain": 1}] * 65}, "not a list"),
        ({"dict": []}, "unknown kind 'dict'"),
        ({"x" * 50: []}, f"unknown kind {'x' * 40!r}"),
        ({"list": [{"plain": 1, "float": 1.0}]}, "not an encoded value"),
    ],
)
def test_decode_refuses_what_encode_never_writes(data, error):
    from softmax_course.exercises.wire import WireError, decode

    with pytest.raises(WireError) as raised:
        decode(data)
    assert str(raised.value).startswith(error), str(raised.value)
    assert error.endswith(": ") or str(raised.value) == error


def test_decode_refuses_what_is_nested_too_deeply():
    from softmax_course.exercises.wire import MAX_DEPTH, WireError, decode

    data: dict = {"plain": 1}
    for _ in range(MAX_DEPTH):
        data = {"tuple": [data]}
    assert decode(data) is not None
    with pytest.raises(WireError, match="^nested too deeply$"):
        decode({"tuple": [data]})
    too_many = {"tensor": [0] * (1_000_001), "dtype": "int64", "shape": [1_000_001]}
    with pytest.raises(WireError, match="^a tensor's values must be a list$"):
        decode(too_many)


# --- the comparisons: each difference named, within the tolerances --------------------------


@pytest.mark.parametrize(
    ("got", "expected", "problem"),
    [
        ([1.0, 2.0], torch.tensor([1.0, 2.0]), "expected a torch.Tensor, got list"),
        (torch.zeros(2), torch.zeros(3), "expected shape (3,), got (2,)"),
        (torch.zeros(2, 1), torch.zeros(2), "expected shape (2,), got (2, 1)"),
        (torch.zeros(2, dtype=torch.long), torch.zeros(2), "expected a floating-point tensor, got dtype torch.int64"),
        (torch.zeros(2), torch.zeros(2, dtype=torch.long), "expected an integer tensor, got dtype torch.float32"),
        (torch.zeros(2, dtype=torch.int32), torch.zeros(2, dtype=torch.long), "expected dtype torch.int64, got torch.int32"),
        (torch.zeros(2, dtype=torch.bool), torch.zeros(2, dtype=torch.long), "expected dtype torch.int64, got torch.bool"),
        (torch.tensor([0.0, math.nan]), torch.zeros(2), "the result contains nan"),
        (torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), torch.zeros(2, 3), "wrong value at index (1, 2)"),
        (torch.tensor([0.0, 2e-5], dtype=torch.float64), torch.zeros(2, dtype=torch.float64), "wrong value at index (1,)"),
        (torch.tensor([1000.2], dtype=torch.float64), torch.tensor([1000.0], dtype=torch.float64), "wrong value at index (0,)"),
        (torch.tensor([1, 2]), torch.tensor([1, 3]), "wrong value at index (1,)"),
        (torch.tensor([0.0, 5e-6], dtype=torch.float64), torch.zeros(2, dtype=torch.float64), None),
        (torch.tensor([1000.05], dtype=torch.float64), torch.tensor([1000.0], dtype=torch.float64), None),
        (torch.tensor([0.5, 0.25]), torch.tensor([0.5, 0.25], dtype=torch.float64), None),
        (torch.ones(2, requires_grad=True) * 0.5, torch.tensor([0.5, 0.5]), None),
        (torch.tensor([2, 3]), torch.tensor([2, 3]), None),
    ],
)
def test_compare_tensors_names_the_first_difference(got, expected, problem):
    from softmax_course.exercises.runner import compare_tensors

    assert compare_tensors(got, expected) == problem


def test_compare_tensors_uses_the_given_tolerance():
    from softmax_course.exercises.runner import compare_tensors

    assert compare_tensors(torch.tensor([0.05]), torch.tensor([0.0]), atol=0.1) is None
    assert compare_tensors(torch.tensor([0.2]), torch.tensor([0.0]), atol=0.1) == "wrong value at index (0,)"


@pytest.mark.parametrize(
    ("got", "expected", "problem"),
    [
        (torch.tensor([0.5, 0.5]), 0.5, "expected a single number, got a tensor of shape (2,)"),
        (torch.zeros(0), 0.5, "expected a single number, got a tensor of shape (0,)"),
        ("0.5", 0.5, "expected a number, got str"),
        (True, 1.0, "expected a number, got bool"),
        (None, 1.0, "expected a number, got NoneType"),
        (math.nan, 0.5, "the result is nan"),
        (torch.tensor(math.nan), 0.5, "the result is nan"),
        (10**400, 1.0, "the value is wrong (too large for a float)"),
        (-(10**400), 1.0, "the value is wrong (too large for a float)"),
        (0.6, 0.5, "the value is wrong"),
        (2e-5, 0.0, "the value is wrong"),
        (1000.2, 1000.0, "the value is wrong"),
        (5e-6, 0.0, None),
        (1000.05, 1000.0, None),
        (2, 2.0, None),
        (10**300, 1e300, None),
        (int(sys.float_info.max), sys.float_info.max, None),  # the largest int a float holds
        (-int(sys.float_info.max), -sys.float_info.max, None),
        (torch.tensor(0.5), 0.5, None),
        (torch.tensor([[0.5]], dtype=torch.float64), 0.5, None),
        (torch.tensor(3), 3.0, None),
    ],
)
def test_compare_numbers_names_the_difference(got, expected, problem):
    from softmax_course.exercises.runner import compare_numbers

    assert compare_numbers(got, expected) == problem


def test_compare_numbers_uses_the_given_tolerance():
    from softmax_course.exercises.runner import compare_numbers

    assert compare_numbers(0.55, 0.5, atol=0.1) is None
    assert compare_numbers(0.7, 0.5, atol=0.1) == "the value is wrong"


# --- run_checks and the check cell ---------------------------------------------------------


def test_a_check_names_what_is_not_a_function():
    result = run_checks(EXERCISES["check_softmax"], 3, [])
    assert (result.exercise, result.status) == ("check_softmax", "unfit")
    assert result.message == "✗ check_softmax: expected a function, got int"


def test_a_check_runs_each_case_on_a_copy_and_stops_at_the_first_failure():
    exercise = EXERCISES["check_softmax"]
    before = [tuple(a.clone() for a in case.args) for case in exercise.cases]
    seen = []

    def in_place(z):  # a softmax that writes over its argument
        seen.append(z)
        z.sub_(z.amax(dim=-1, keepdim=True)).exp_()
        return z.div_(z.sum(dim=-1, keepdim=True))

    result = run_checks(exercise, in_place, [])
    assert (result.status, result.message) == ("pass", f"✓ check_softmax: all {len(before)} cases pass")
    assert len(seen) == len(before)
    for case, args in zip(exercise.cases, before, strict=True):
        assert all(torch.equal(a, b) for a, b in zip(case.args, args, strict=True)), case.name

    def fails_twice(z):
        seen.append(z)
        raise ValueError("boom")

    seen.clear()
    result = run_checks(exercise, fails_twice, [])
    assert len(seen) == 1 and result.status == "fail"
    first = exercise.cases[0]
    assert result.message == f"✗ check_softmax, case '{first.name}': raised ValueError: boom\n  Hint: {first.hint}"


def test_a_stub_stops_the_check_even_after_a_failed_case():
    calls = []

    def half_written(z):
        calls.append(z)
        if len(calls) > 1:
            raise NotImplementedError
        return z

    result = run_checks(EXERCISES["check_softmax"], half_written, [])
    assert result.status == "fail" and len(calls) == 1
    calls.clear()
    calls.append("a first call already made")  # the first case is the stub's too
    result = run_checks(EXERCISES["check_softmax"], half_written, [])
    assert (result.status, result.message) == ("not written", "✗ check_softmax: not written yet (the function raises NotImplementedError)")


#: Cells that define the exercise's function with the function the rule forbids.
BREAKS_THE_RULE = [PRELUDE, "def my_softmax(z):\n    return F.softmax(z, -1)"]


def test_every_result_names_its_check():
    exercise = EXERCISES["check_softmax"]

    def stub(z):
        raise NotImplementedError

    results = {
        "pass": run_checks(exercise, SOLUTIONS["my_softmax"], []),
        "fail": run_checks(exercise, lambda z: z, []),
        "not written": run_checks(exercise, stub, []),
        "rule": run_checks(exercise, SOLUTIONS["my_softmax"], BREAKS_THE_RULE),
        "unfit": run_checks(exercise, None, []),
    }
    assert {(r.exercise, r.status) for r in results.values()} == {("check_softmax", s) for s in results}


def test_the_rules_read_the_function_by_its_own_name():
    import functools

    exercise = EXERCISES["check_softmax"]

    def softmax_v2(z):
        return F.softmax(z, dim=-1)

    sources = [PRELUDE, "def softmax_v2(z):\n    return F.softmax(z, dim=-1)"]
    result = run_checks(exercise, softmax_v2, sources)
    assert (result.status, result.message) == (
        "rule", f"✗ check_softmax: softmax_v2 uses softmax {SAYS}; the grader gives this exercise 0"
    )
    # A callable without a name of its own (a partial) is read under the exercise's name.
    nameless = functools.partial(SOLUTIONS["my_softmax"])
    assert run_checks(exercise, nameless, [PRELUDE, "my_softmax = 1"]).status == "pass"
    assert run_checks(exercise, nameless, BREAKS_THE_RULE).status == "rule"


def test_a_lambda_is_read_for_the_rules_under_the_exercise_s_name():
    sources = [PRELUDE, "my_softmax = lambda z: F.softmax(z, dim=-1)"]
    result = run_checks(EXERCISES["check_softmax"], lambda z: F.softmax(z, dim=-1), sources)
    assert result.status == "rule"
    assert result.message == (
        "✗ check_softmax: my_softmax uses softmax (the exercise says: from the definition (no F.softmax)); "
        "the grader gives this exercise 0"
    )
    renamed = [PRELUDE, "def other(z):\n    return F.softmax(z, dim=-1)"]
    assert run_checks(EXERCISES["check_softmax"], SOLUTIONS["my_softmax"], renamed).status == "pass"


def test_the_check_cell_prints_its_result_and_reads_the_kernel_s_cells(capsys, monkeypatch):
    import IPython

    exercise = EXERCISES["check_softmax"]
    result = exercise.check(SOLUTIONS["my_softmax"])  # outside IPython: no cells to read
    assert result.status == "pass" and capsys.readouterr().out == result.message + "\n"
    assert result._ipython_display_() is None

    class Shell:
        user_ns = {"In": ["", PRELUDE, "s = F.softmax\ndef my_softmax(z):\n    return s(z, dim=-1)"]}

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    result = exercise.check(lambda z: F.softmax(z, dim=-1))
    assert result.status == "rule" and capsys.readouterr().out.startswith("✗ check_softmax: my_softmax uses softmax")
    Shell.user_ns = {}
    assert exercise.check(SOLUTIONS["my_softmax"]).status == "pass"
    monkeypatch.setitem(__import__("sys").modules, "IPython", None)  # no IPython at all
    assert exercise.check(SOLUTIONS["my_softmax"]).status == "pass"


# --- the rules, read on the notebook's syntax tree --------------------------------------------

SAYS = "(the exercise says: from the definition (no F.softmax))"
CALLS_S = "def my_softmax(z):\n    return s(z, dim=-1)"
CALLS_HELPER = "def my_softmax(z):\n    return helper(z)"


#: my_softmax calls h1, each h calls the next and the one before it, the last F.softmax.
CHAIN = ["my_softmax", *(f"h{i}" for i in range(1, 13))]
CALLING_BACK = [
    "def my_softmax(z):\n    return h1(z)",
    *(f"def {CHAIN[i]}(z):\n    return {CHAIN[i - 1]}({CHAIN[i + 1]}(z))" for i in range(1, 12)),
    "def h12(z):\n    return h11(F.softmax(z, -1))",
]
#: my_softmax calls h1, each h an import of its own and the next h, the last F.softmax.
IMPORTING = [
    "def my_softmax(z):\n    return h1(z)",
    *(f"from torch import exp as e{i}\ndef h{i}(z):\n    return e{i}(h{i + 1}(z))" for i in range(1, 12)),
    "def h12(z):\n    return F.softmax(z, -1)",
]


@pytest.mark.parametrize(
    ("cells", "verdict"),
    [
        (["def other(z):\n    return F.softmax(z, dim=-1)"], None),
        (["def my_softmax(z):\n    return F.softmax(z, dim=-1)"], f"my_softmax uses softmax {SAYS}"),
        (["def my_softmax(z):\n    return softmax(z, dim=-1)"], f"my_softmax uses softmax {SAYS}"),
        (["def my_softmax(z):\n    return z.log_softmax(-1).exp()"], f"my_softmax uses log_softmax {SAYS}"),
        (["s = F.softmax", CALLS_S], f"my_softmax uses softmax {SAYS}"),
        (["s: object = F.softmax", CALLS_S], f"my_softmax uses softmax {SAYS}"),
        (["s = 0", "s += F.softmax", CALLS_S], f"my_softmax uses softmax {SAYS}"),
        (["a, (b, s) = 1, (2, F.softmax)", CALLS_S], f"my_softmax uses softmax {SAYS}"),
        (["from torch import softmax as s", CALLS_S], f"my_softmax uses softmax {SAYS}"),
        (["from torch.nn.functional import softmax", "def my_softmax(z):\n    return softmax(z, 1)"], f"my_softmax uses softmax {SAYS}"),
        (["from torch import exp, softmax as s\ndef my_softmax(z):\n    e = exp(z)\n    return e / e.sum()"], None),
        (["import torch.nn.functional as s", "def my_softmax(z):\n    return s.exp(z)"], None),
        (["from torch import nn as Softmax", "def my_softmax(z):\n    return Softmax"], None),
        (["def helper(z):\n    return z.softmax(-1)", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["class helper:\n    f = staticmethod(F.softmax)", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["async def helper(z):\n    return F.softmax(z, 0)", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["if True:\n    def helper(z):\n        return z.softmax(-1)", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["if False:\n    pass\nelse:\n    helper = F.softmax", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["try:\n    pass\nfinally:\n    helper = F.softmax", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["try:\n    pass\nexcept ImportError:\n    helper = F.softmax", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["with open('x') as f:\n    helper = F.softmax", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["for i in []:\n    helper = F.softmax", CALLS_HELPER], f"my_softmax uses softmax {SAYS}"),
        (["def softmax(z):\n    e = z.exp()\n    return e / e.sum()", "def my_softmax(z):\n    return softmax(z)"], None),
        (["def my_softmax(z, softmax=None):\n    softmax = z.exp()\n    return softmax / softmax.sum()"], None),
        (["def my_softmax(z):\n    return F.softmax(z, -1)", "def my_softmax(z):\n    return z.exp() / z.exp().sum()"], None),
        (["def my_softmax(z):\n    return z.exp() / z.exp().sum()", "def my_softmax(z):\n    return F.softmax(z, -1)"], f"my_softmax uses softmax {SAYS}"),
        (["def helper(z):\n    return helper(z)", CALLS_HELPER], None),
        (["%timeit 1\ndef my_softmax(z):\n    return F.softmax(z, 1)"], f"my_softmax uses softmax {SAYS}"),
        (["def my_softmax(z):\n    return F.softmax(z, 1)", "def (broken"], f"my_softmax uses softmax {SAYS}"),
        (["from softmax_course.functional import softmax as helper", CALLS_HELPER], "my_softmax uses the course's own helper (write it yourself)"),
        (["import softmax_course.functional as helper", CALLS_HELPER], "my_softmax uses the course's own helper (write it yourself)"),
        (["import softmax_course", "def my_softmax(z):\n    return softmax_course.functional.softmax(z)"], "my_softmax uses the course's own code (write it yourself)"),
        (["def my_softmax(z):\n    from softmax_course import functional\n    return functional.stable(z)"], "my_softmax uses the course's own code (write it yourself)"),
        (["def my_softmax(z):\n    from softmax_course.functional import softmax as s\n    return s(z)"], "my_softmax uses the course's own code (write it yourself)"),
        (["import operator", "def my_softmax(z):\n    return operator.methodcaller(' softmax ', -1)(z)"], f"my_softmax uses softmax {SAYS}"),
        (["import softmax.tools  # a module of the student's own", "def my_softmax(z):\n    return softmax.tools.stable(z)"], None),
        (["x = getattr(F, 'soft' + 'max')", "def my_softmax(z):\n    return z"], "the notebook uses getattr, which hides what a name is bound to, so the rule 'from the definition (no F.softmax)' cannot be checked"),
        (["x = F.__dict__", "y = eval('1')", "def my_softmax(z):\n    return z"], "the notebook uses __dict__, which hides what a name is bound to, so the rule 'from the definition (no F.softmax)' cannot be checked"),
        (["import importlib", "def my_softmax(z):\n    return z"], "the notebook uses importlib, which hides what a name is bound to, so the rule 'from the definition (no F.softmax)' cannot be checked"),
        (["from builtins import print", "def my_softmax(z):\n    return z"], "the notebook uses builtins, which hides what a name is bound to, so the rule 'from the definition (no F.softmax)' cannot be checked"),
        # A cell that does not parse, or that IPython cannot even rewrite, hides none of the cells after it.
        (["def (broken", "def my_softmax(z):\n    return F.softmax(z, 1)"], f"my_softmax uses softmax {SAYS}"),
        (["if True:\n    x = 1\n  y = 2", "def my_softmax(z):\n    return F.softmax(z, 1)"], f"my_softmax uses softmax {SAYS}"),
        # Deep down a chain of helpers, past a name read already (a helper calling back) or an
        # import that breaks no rule at each step, whatever order the names are read in.
        (CALLING_BACK, f"my_softmax uses softmax {SAYS}"),
        (IMPORTING, f"my_softmax uses softmax {SAYS}"),
    ],
)
def test_a_rule_is_broken_by_every_route_to_a_forbidden_name(cells, verdict):
    from softmax_course.exercises.rules import NO_SOFTMAX

    assert broken_rule((NO_SOFTMAX,), [PRELUDE, *cells], "my_softmax") == verdict


def test_without_rules_only_the_course_s_code_is_forbidden():
    from softmax_course.exercises.rules import NO_AUTOGRAD, NO_SOFTMAX

    dynamic = ["x = getattr(F, 'softmax')", "def my_softmax(z):\n    return F.softmax(z, -1)"]
    assert broken_rule((), dynamic, "my_softmax") is None
    assert broken_rule((), ["from softmax_course import functional as f", "def my_softmax(z):\n    return f(z)"], "my_softmax") == (
        "my_softmax uses the course's own f (write it yourself)"
    )
    both = (NO_SOFTMAX, NO_AUTOGRAD)
    assert broken_rule(both, ["def g(z):\n    z.backward()\n    return z.grad"], "g") == (
        "g uses backward (the exercise says: from the formula (no autograd))"
    )
    assert broken_rule(both, ["def g(z, grad):\n    return grad * z"], "g") is None
    autograd = "g uses autograd (the exercise says: from the formula (no autograd))"
    assert broken_rule(both, ["def g(z):\n    from torch.autograd import Function\n    return Function"], "g") == autograd
    assert broken_rule(both, ["def g(z):\n    import torch.autograd\n    return z"], "g") == autograd


@pytest.mark.parametrize(
    ("got", "problem"),
    [
        ([torch.zeros(2, 3), torch.zeros(1, 3)], "expected a tuple (x_train_standardised, x_test_standardised)"),
        ((torch.zeros(2, 3),) * 3, "expected a tuple (x_train_standardised, x_test_standardised)"),
        ((None, [[0.0, 0.0, 0.0]]), "x_train standardised: expected a torch.Tensor, got NoneType"),
        ("right x_train", "x_test standardised: expected a torch.Tensor, got list"),
    ],
)
def test_the_standardize_check_wants_two_tensors(got, problem):
    exercise = EXERCISES["check_standardize"]
    args = exercise.cases[0].args
    if got == "right x_train":
        got = (exercise.reference(*args)[0], [[0.0, 0.0, 0.0]])
    assert exercise.problem(args, got) == problem


def probe_in_this_process(notebook: dict, tasks: list[dict], limits, trusted=False):
    """Stands in for ``tools.grade.run_in_sandbox`` on the tests' own code: the notebook's code
    cells, then the sandbox's own probe (``tools/run_submission.py``), run in this process."""
    from tools.grade import _code_sources
    from tools.run_submission import PROBE

    namespace: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "inputs.json"
        inputs.write_text(json.dumps(tasks), encoding="utf-8")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            for source in [*_code_sources(notebook), PROBE.replace("INPUTS", repr(str(inputs)))]:
                exec(source, namespace)  # noqa: S102 - the test's own table
    return json.loads(printed.getvalue()), ""


@pytest.mark.parametrize(
    ("checker_name", "source"),
    [(name, source) for name, answers in WRONG_ANSWERS.items() for source in answers.values()],
    ids=[f"{name}-{what}" for name, answers in WRONG_ANSWERS.items() for what in answers],
)
def test_the_grader_scores_a_wrong_answer_below_full_marks_and_names_its_hint(
    checker_name, source, tmp_path, monkeypatch
):
    """The wrong answer beside the lesson's other solutions, graded as ``make grade`` does but
    with the probe run here (the sandbox runs every solved lesson in ``test_class.py``): this
    exercise scores less than full marks with a case's hint or the broken rule, the others
    full marks."""
    from tools import grade

    exercise = EXERCISES[checker_name]
    lesson = next(path.stem for path in LESSONS if exercise in grade.exercises_of(path.stem))
    others = [
        cell
        for cell in SOLUTION_CELLS[lesson]
        if not re.search(rf"^def {exercise.function}\(", cell, re.MULTILINE)
    ]
    cells = [PRELUDE, *others, source]
    path = tmp_path / f"{lesson}.ipynb"
    path.write_text(json.dumps(
        {"cells": [{"cell_type": "code", "source": cell} for cell in cells], "metadata": {}}
    ), encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(grade, "run_in_sandbox", probe_in_this_process)
    graded = grade.grade_file(grade.Handed("student", path, lesson), grade.sandbox.Limits())
    for other in grade.exercises_of(lesson):
        points, total, feedback = graded.scores[other.name]
        if other is not exercise:
            assert (points, feedback) == (total, ""), (other.name, feedback)
    points, total, feedback = graded.scores[checker_name]
    hints = {case.hint for case in grade.all_cases(exercise)}
    assert points < total, (checker_name, points, total)
    assert feedback.startswith("rule broken: ") or any(feedback.endswith(h) for h in hints), feedback
