"""Inside the sandbox: run a handed-in notebook, then call its functions on the cases' inputs.

    python /grader/run_submission.py FD GRADER_DIR WORK_DIR    (tools/grade.py starts it)

Reads ``GRADER_DIR/submission.ipynb`` and ``GRADER_DIR/inputs.json`` (for each
exercise: the function's name and each case's arguments, as
:mod:`softmax_course.exercises.wire` values; never an expected value). Runs
every cell with nbclient in a fresh kernel, errors and all, keeping no output
(a notebook that prints hundreds of MB costs nothing here); then one more
cell, in the same kernel, calls each function on each case's arguments and
prints what came back (a value, the error raised, or "not written") as JSON,
which needs no disk (a notebook may have filled its folder). That JSON goes
to file descriptor ``FD``, the grader's pipe. Everything in here is
the submission's world: the grader treats what arrives as untrusted data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: Largest answer file forwarded (the grader caps it again).
MAX_ANSWER_BYTES = 16 * 2**20

#: The last cell: it runs in the submission's kernel, on its names.
PROBE = """
def _grader_probe():
    import json
    from softmax_course.exercises.wire import decode, encode

    with open(INPUTS, encoding="utf-8") as file:
        tasks = json.load(file)
    answers = {}
    for task in tasks:
        fn = globals().get(task["function"])
        if not callable(fn):
            answers[task["exercise"]] = {"missing": True}
            continue
        results = []
        for args in task["cases"]:
            try:
                got = fn(*[decode(arg) for arg in args])
            except NotImplementedError:
                results.append({"not_written": True})
            except BaseException as error:  # any error of the student's code is an answer
                results.append({"error": type(error).__name__, "message": str(error)[:200]})
            else:
                results.append({"value": encode(got)})
        answers[task["exercise"]] = {"results": results}
    print(json.dumps(answers), end="")


_grader_probe()
"""


class QuietClient(NotebookClient):
    """A notebook client that keeps only what the last cell (the probe) prints, up to a size."""

    answers = ""

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201 - nbclient's signature
        is_probe = cell_index == len(self.nb.cells) - 1
        if is_probe and msg["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
            if len(self.answers) <= MAX_ANSWER_BYTES:
                self.answers += msg["content"].get("text", "")
        return None


def main(fd: int, grader_dir: Path, work_dir: Path) -> int:
    answers_pipe = os.fdopen(fd, "wb")
    os.set_inheritable(fd, False)
    notebook = nbformat.read(grader_dir / "submission.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for cell in code:
        cell.outputs = []
    probe = PROBE.replace("INPUTS", repr(str(grader_dir / "inputs.json")))
    notebook.cells = [*code, nbformat.v4.new_code_cell(probe)]
    notebook.metadata = {}  # its kernel is ours, whatever the metadata names
    client = QuietClient(
        notebook,
        kernel_name="python3",
        allow_errors=True,
        timeout=None,
        startup_timeout=120,
        resources={"metadata": {"path": str(work_dir)}},
        record_timing=False,
        shutdown_kernel="immediate",  # every answer has arrived; a graceful stop costs a second
    )
    try:
        client.execute()
    except Exception as error:  # noqa: BLE001 - a dead kernel still leaves what it wrote
        print(f"the notebook's kernel stopped: {type(error).__name__}: {error}", file=sys.stderr)
    if len(client.answers) <= MAX_ANSWER_BYTES:
        answers_pipe.write(client.answers.encode("utf-8", errors="replace"))
    answers_pipe.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
