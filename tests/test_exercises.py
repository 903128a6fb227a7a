"""Every exercise checker passes the lesson's own solution and catches near misses.

The solutions are read from the lessons' cells tagged ``solution``, so the
answer a student is shown and the answer tested here are the same code. The
wrong answers (``tests/wrong_answers.py``) are near misses (a Bessel-corrected
std, the other ``dim``, a transposed matrix): each must fail, and the hint
printed must be the one of the case that caught it, read from the exercise's
own case list, or break the exercise's rule, and say so.
"""

import ast
import math
import re

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


def load_solutions() -> dict:
    """Execute every solution cell of every lesson; return the functions they define."""
    namespace = {"torch": torch, "F": F, "math": math}
    for cells in solution_cells().values():
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


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_cases_have_distinct_names_and_a_hint(checker_name):
    cases = EXERCISES[checker_name].cases
    names = [case.name for case in cases]
    assert cases and len(set(names)) == len(names), names
    assert all(case.hint.strip() for case in cases)


@pytest.mark.parametrize("checker_name", CHECKERS)
def test_solution_passes_and_keeps_the_rules(checker_name, capsys):
    exercise = EXERCISES[checker_name]
    cells = [cell for cells in solution_cells().values() for cell in cells]
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
        got = solution(*(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args))
        assert exercise.problem(case.args, got) is None, case.name


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
        solution(*(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args))
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


def test_a_check_names_the_first_failing_case_not_a_later_one(capsys):
    from softmax_course.exercises.runner import Case, Exercise, compare_numbers

    cases = tuple(Case(f"case {n}", (float(n),), f"hint {n}") for n in range(4))
    exercise = Exercise("check_double", "double", cases, lambda x: 2 * x, compare_numbers)
    wrong_from_one = exercise.check(lambda x: 2 * x if x < 1 else -x)
    assert wrong_from_one.status == "fail"
    assert capsys.readouterr().out == "✗ check_double, case 'case 1': the value is wrong\n  Hint: hint 1\n"
