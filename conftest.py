"""pytest settings for the whole repository, so that ``pytest --nbval notebooks``
behaves the same from ``make test`` and from a student's shell.

- nbval uses this environment's Python for the kernels and our sanitizer file
  (nbval reads no configuration file of its own);
- a kernel that dies fails its cell at once, naming the lesson and the cell,
  instead of waiting out nbval's cell timeout (2000 s by default);
- the kernels get the environment that ``make`` exports (``KERNEL_ENVIRONMENT``),
  so ``pytest --nbval`` typed in any shell checks the stored outputs under the
  conditions that produced them;
- ``pytest --nbval -n N`` keeps each lesson on one worker (``--dist loadfile``):
  xdist's default would split a lesson's cells across kernels.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from queue import Empty

import pytest

ROOT = Path(__file__).resolve().parent
SANITIZER = ROOT / "tests" / "nbval_sanitize.cfg"
#: How often a waiting nbval checks that its kernel is still alive, in seconds.
KERNEL_POLL = 1.0
#: Set for this process and the kernels it starts, as the Makefile exports them.
#: One OpenMP (MKL) thread: two kernels with two threads each on two cores ran
#: 3-10x slower, and one thread sums floats in one order, the order that
#: produced the stored outputs; so these two replace a value from the shell.
KERNEL_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Set only where the shell has not: the new platformdirs paths for Jupyter,
#: and no "frozen modules" warning from the debugger. Neither changes a result.
KERNEL_DEFAULTS = {"JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

# At import, before any test imports torch or any kernel starts.
os.environ.update(KERNEL_ENVIRONMENT)
for _name, _value in KERNEL_DEFAULTS.items():
    os.environ.setdefault(_name, _value)


def pytest_configure(config: pytest.Config) -> None:
    if not getattr(config.option, "nbval", False):
        return
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadfile"
    if config.option.nbval_sanitize_with is None:
        config.option.nbval_sanitize_with = str(SANITIZER)
    if config.option.nbval_kernel_name is None:
        config.option.nbval_current_env = True
    _fail_fast_on_dead_kernel()


class KernelDiedError(RuntimeError):
    """The kernel process exited while nbval waited for a cell's reply."""


def _fail_fast_on_dead_kernel() -> None:
    """Make nbval's wait for a cell's reply notice a dead kernel within a second."""
    from nbval.kernel import RunningKernel

    def await_reply(self: RunningKernel, msg_id: str, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if not self.is_alive():
                raise KernelDiedError(
                    "the kernel died while executing this cell (a crash or os._exit in the "
                    "lesson); the cells after it cannot run"
                )
            remaining = KERNEL_POLL if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise Empty
            try:
                msg = self.get_message(stream="shell", timeout=min(KERNEL_POLL, remaining))
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply
