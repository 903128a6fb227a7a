"""The rules an exercise states ("no `F.softmax`", "no autograd"), checked on the source.

A rule is checked on the syntax tree of the notebook's code, never by running
it: the grader reads the handed-in notebook, and a student's check cell reads
the cells its kernel has run (IPython's ``In``). The function's own code is
read, and with it every function, class, lambda, import and assignment of the
notebook that it names, so that an alias (``s = F.softmax``, ``from torch
import softmax as s``) or a helper that calls the forbidden function breaks
the rule too. The course's own helpers (anything imported from
``softmax_course``) are forbidden in every graded function: they hold the
answers. A dynamic lookup (``getattr``, ``eval``, ``globals()`` ...) anywhere
in the notebook breaks a rule as well, since it can hide what a name is bound
to. What a static check cannot see: a forbidden function reached through an
object the notebook did not write (an attribute of a library's own object
that is spelled differently), or computed from data at run time by a library.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Names that look up or rebind other names at run time, so that reading the code no
#: longer tells what is called.
DYNAMIC = frozenset(
    {
        "getattr",
        "setattr",
        "delattr",
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "vars",
        "__import__",
        "importlib",
        "__dict__",
        "__getattribute__",
        "__builtins__",
        "builtins",
        "__globals__",
        "__closure__",
        "__code__",
    }
)
#: The course's package: its helpers and references hold the answers.
COURSE = "softmax_course"


@dataclass(frozen=True)
class Rule:
    """What an exercise forbids: its wording for the student, and the names it covers."""

    text: str
    forbidden: frozenset[str]


NO_SOFTMAX = Rule(
    "from the definition (no F.softmax)",
    frozenset(
        {
            "softmax",
            "log_softmax",
            "Softmax",
            "LogSoftmax",
            "softmin",
            "Softmin",
            "gumbel_softmax",
            "Softmax2d",
        }
    ),
)
NO_CROSS_ENTROPY = Rule(
    "without F.cross_entropy or F.nll_loss",
    frozenset({"cross_entropy", "nll_loss", "CrossEntropyLoss", "NLLLoss"}),
)
NO_AUTOGRAD = Rule(
    "from the formula (no autograd)",
    frozenset(
        {
            "backward",
            "grad",
            "autograd",
            "requires_grad",
            "requires_grad_",
            "func",
            "functorch",
            "jacobian",
            "vjp",
            "jvp",
            "hessian",
            "jacrev",
            "jacfwd",
        }
    ),
)
NO_LOGSUMEXP = Rule("without torch.logsumexp", frozenset({"logsumexp"}))


def code_cells_as_python(sources: Iterable[str]) -> list[str]:
    """Each cell's source as plain Python (IPython's ``%magic`` and ``!shell`` lines rewritten)."""
    from IPython.core.inputtransformer2 import TransformerManager

    manager = TransformerManager()
    cells = []
    for source in sources:
        try:
            cells.append(manager.transform_cell(source))
        except (SyntaxError, ValueError, IndexError):
            continue
    return cells


def _module_bindings(cells: Sequence[str]) -> tuple[dict[str, ast.AST], list[ast.AST]]:
    """The last top-level binding of each name in the cells (in order), and every parsed tree."""
    bindings: dict[str, ast.AST] = {}
    trees: list[ast.AST] = []

    def bind(statements: Iterable[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bindings[statement.name] = statement
            elif isinstance(statement, ast.Import | ast.ImportFrom):
                for alias in statement.names:
                    name = alias.asname or alias.name.split(".")[0]
                    bindings[name] = statement
            elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            bindings[node.id] = statement
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(statement, field, None)
                    if isinstance(inner, list):
                        bind(item for item in inner if isinstance(item, ast.stmt))
                for handler in getattr(statement, "handlers", []):
                    bind(handler.body)

    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        trees.append(tree)
        bind(tree.body)
    return bindings, trees


def _local_names(node: ast.AST) -> set[str]:
    """Names a function binds itself (its parameters and assignment targets)."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            names.add(inner.id)
    return names


def _words(node: ast.AST) -> tuple[set[str], set[str]]:
    """The attribute names and strings a node spells, and the free names it reads."""
    local = _local_names(node) if not isinstance(node, ast.Import | ast.ImportFrom) else set()
    spelled, free = set(), set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute):
            spelled.add(inner.attr)
        elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            spelled.add(inner.value.strip())
        elif isinstance(inner, ast.Name) and inner.id not in local:
            free.add(inner.id)
        elif isinstance(inner, ast.ImportFrom):
            spelled.update((inner.module or "").split("."))
            spelled.update(alias.name for alias in inner.names)
        elif isinstance(inner, ast.Import):
            for alias in inner.names:
                spelled.update(alias.name.split("."))
    return spelled, free


def broken_rule(rules: Sequence[Rule], sources: Iterable[str], function: str) -> str | None:
    """Why ``function``, as the cells ``sources`` define it, breaks a rule; None if it keeps them.

    The course's helpers are forbidden whatever ``rules`` says.
    """
    cells = code_cells_as_python(sources)
    bindings, trees = _module_bindings(cells)
    if function not in bindings:
        return None
    if rules:
        for tree in trees:
            spelled, free = _words(tree)
            dynamic = sorted(DYNAMIC & (spelled | free))
            if dynamic:
                return (
                    f"the notebook uses {dynamic[0]}, which hides what a name is bound to, "
                    f"so the rule '{rules[0].text}' cannot be checked"
                )
    forbidden = {name: rule for rule in rules for name in rule.forbidden}
    seen: set[str] = set()
    waiting = [function]
    while waiting:
        name = waiting.pop()
        if name in seen or name not in bindings:
            continue
        seen.add(name)
        node = bindings[name]
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else ""
            imported = [alias for alias in node.names if (alias.asname or alias.name) == name]
            words = {*(module or "").split("."), *(w for a in imported for w in a.name.split("."))}
            if COURSE in words:
                return f"{function} uses the course's own {name} (write it yourself)"
            hit = sorted(words & forbidden.keys())
            if hit:
                return f"{function} uses {hit[0]} (the exercise says: {forbidden[hit[0]].text})"
            continue
        spelled, free = _words(node)
        if COURSE in spelled | free:
            return f"{function} uses the course's own code (write it yourself)"
        hit = sorted((spelled | (free - bindings.keys())) & forbidden.keys())
        if hit:
            return f"{function} uses {hit[0]} (the exercise says: {forbidden[hit[0]].text})"
        waiting.extend(free & bindings.keys())
    return None
