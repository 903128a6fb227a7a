"""Values as plain JSON data, to cross the grader's sandbox wall in both directions.

The grader sends a case's arguments into the sandbox and gets back what the
student's function returned: a tensor as its dtype, shape and values, a
number, a string, a tuple or list of those, or the error it raised. Nothing
that runs code when read (no pickle). :func:`decode` is strict, because the
grader reads what an untrusted notebook wrote: a key, a dtype or a size it does
not expect is an error, never a value.
"""

from __future__ import annotations

import math
from typing import Any

import torch

#: The dtypes a case or an answer may have.
DTYPES = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        torch.float64,
        torch.float32,
        torch.float16,
        torch.bfloat16,
        torch.int64,
        torch.int32,
        torch.int16,
        torch.int8,
        torch.uint8,
        torch.bool,
    )
}
#: Most numbers in one answer, and deepest nesting: far above any exercise's, far below harm.
MAX_NUMBERS = 1_000_000
MAX_DEPTH = 8


class WireError(ValueError):
    """What was handed back is not a value the grader can read."""


def encode(value: object, depth: int = 0) -> Any:
    """``value`` as JSON-able data; a type with no plain-data form is described, not sent."""
    if depth > MAX_DEPTH:
        return {"unreadable": "nested too deeply"}
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        if dtype not in DTYPES or value.is_complex():
            return {"unreadable": f"a tensor of dtype {value.dtype}"}
        if value.numel() > MAX_NUMBERS:
            return {"unreadable": f"a tensor of {value.numel()} numbers"}
        flat = value.detach().cpu().reshape(-1)
        values = (
            [_number(x) for x in flat.double().tolist()]
            if value.is_floating_point()
            else flat.tolist()
        )
        return {"tensor": values, "dtype": dtype, "shape": list(value.shape)}
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return {"plain": value}
    if isinstance(value, float):
        return {"float": _number(value)}
    if isinstance(value, tuple | list):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [encode(item, depth + 1) for item in value[:64]]}
    return {"unreadable": f"a {type(value).__name__}"}


def _number(x: float) -> float | str:
    """JSON has no nan or infinity: those travel as strings."""
    return x if math.isfinite(x) else repr(x)


def _float(x: object) -> float:
    if isinstance(x, str) and x in ("nan", "inf", "-inf"):
        return float(x)
    if isinstance(x, int | float) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:  # an integer beyond float's range: JSON's integers have no limit
            pass
    raise WireError(f"not a number: {str(x)[:40]!r}")


def decode(data: object, depth: int = 0) -> Any:
    """The value :func:`encode` wrote; :class:`WireError` for anything else."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if not isinstance(data, dict) or len(data) != 1 and set(data) != {"tensor", "dtype", "shape"}:
        raise WireError("not an encoded value")
    if set(data) == {"tensor", "dtype", "shape"}:
        dtype = DTYPES.get(data["dtype"]) if isinstance(data["dtype"], str) else None
        shape, values = data["shape"], data["tensor"]
        if dtype is None:
            raise WireError(f"unknown dtype {str(data['dtype'])[:40]!r}")
        if not (isinstance(shape, list) and all(type(n) is int and 0 <= n for n in shape)):
            raise WireError("a tensor's shape must be a list of sizes")
        if not isinstance(values, list) or len(values) > MAX_NUMBERS:
            raise WireError("a tensor's values must be a list")
        if math.prod(shape) != len(values):
            raise WireError("a tensor's values do not fill its shape")
        if dtype.is_floating_point:
            numbers: list = [_float(x) for x in values]
        elif dtype == torch.bool:
            if not all(isinstance(x, bool) for x in values):
                raise WireError("a bool tensor holds a value that is not a bool")
            numbers = values
        else:
            if not all(type(x) is int for x in values):
                raise WireError("an integer tensor holds a value that is not an integer")
            numbers = values
        try:
            return torch.tensor(numbers, dtype=dtype).reshape(shape)
        except (RuntimeError, OverflowError, ValueError) as error:  # beyond the dtype's range
            raise WireError(f"not a tensor: {str(error)[:80]}") from None
    ((kind, inner),) = data.items()
    if kind == "plain":
        if inner is None or isinstance(inner, bool | str | int):
            return inner
        raise WireError("not a plain value")
    if kind == "float":
        return _float(inner)
    if kind in ("tuple", "list"):
        if not isinstance(inner, list) or len(inner) > 64:
            raise WireError(f"not a {kind}")
        items = [decode(item, depth + 1) for item in inner]
        return tuple(items) if kind == "tuple" else items
    if kind == "unreadable":
        return Unreadable(str(inner)[:80])
    raise WireError(f"unknown kind {str(kind)[:40]!r}")


class Unreadable:
    """An answer that has no plain-data form (a function, a module ...): it is wrong, by name."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return self.what
