"""``make execute``: run each lesson in a fresh kernel and store its outputs.

    python -m tools.execute notebooks/*.ipynb

All or nothing: every lesson runs to memory first, and the ``.ipynb`` files are
written only when all of them succeeded. A lesson that fails (a raising cell, a
timeout, a dead kernel) stops the run, naming the lesson and the cell, and
leaves every notebook as it was, including the ones that ran before it: a
half-updated set would hold outputs from two versions of the helpers. Each
write goes to a temporary file in the same folder that then replaces the
notebook in one step, so an interrupted write never leaves a truncated file.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from softmax_course.workspace import write_atomically
from tools.kernels import CurrentEnvKernelManager

#: The colour codes of a traceback as nbclient and nbval print it.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
#: Seconds a single cell may run before execution fails (training cells take ~2 s).
CELL_TIMEOUT = 120


class LessonExecutionError(RuntimeError):
    """A lesson failed to execute; the message names the lesson and the cell."""


def execute_notebook(path: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel in its folder; return the notebook.

    The file itself is not changed. A failing cell, a timeout or a dying kernel
    raises :class:`LessonExecutionError` naming the lesson and the cell.
    """
    notebook = nbformat.read(path, as_version=4)
    current: dict[str, int] = {}

    def remember_cell(cell: nbformat.NotebookNode, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        notebook,
        kernel_name="python3",
        kernel_manager_class=CurrentEnvKernelManager,
        timeout=timeout,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=remember_cell,
        # Every output has arrived when execute() returns, so the kernel has
        # nothing left to flush: stop it at once.
        shutdown_kernel="immediate",
    )
    try:
        client.execute()
    except Exception as error:
        index = current.get("index")
        first_line = notebook.cells[index].source.splitlines()[0] if index is not None else ""
        lines = ANSI_ESCAPE.sub("", str(error)).strip().splitlines()
        reason = lines[-1] if lines else ""
        raise LessonExecutionError(
            f"{path}: cell {index} ({first_line!r}) failed: {type(error).__name__}: {reason}"
        ) from error
    # The interpreter's patch version is machine noise in a reviewed diff.
    notebook.metadata.get("language_info", {}).pop("version", None)
    return notebook


def execute(paths: Sequence[Path]) -> None:
    """Execute every notebook, then write each back with its outputs (``make execute``).

    Nothing is written unless every notebook executed.
    """
    executed = []
    for path in paths:
        print(f"executing {path}", flush=True)
        executed.append((execute_notebook(path), path))
    for notebook, path in executed:
        write_atomically(path, nbformat.writes(notebook) + "\n")
        print(f"wrote {path}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.execute",
        description="Run lessons in fresh kernels and store their outputs (all or nothing).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    try:
        execute(args.notebooks)
    except LessonExecutionError as error:
        raise SystemExit(f"make execute: {error}\nno notebook was written") from None


if __name__ == "__main__":
    main()
