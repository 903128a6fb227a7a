"""The course holds: twins in sync, exact comparisons, loud failures, no network.

- twins: each lesson's .py and .ipynb hold the same cells, and a .py edited
  without ``make sync`` (or a cell edited in the notebook) fails the twin check;
- exactness: the sanitizer masks only addresses, and a stored number changed in
  its last digit fails nbval (nbval itself re-executes every lesson against its
  stored outputs, which is the determinism check);
- a crashing kernel or a raising cell fails nbval and ``make execute`` quickly,
  naming the lesson and the cell, and a failed ``make execute`` leaves every
  notebook byte for byte as it was;
- offline: the test process and every kernel run behind a network guard.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

from conftest import ANSI_ESCAPE, LESSONS, NOTEBOOKS, ROOT
from tools import LESSON_PATTERN
from tools.execute import execute_notebook
from tools.execute import main as execute_main
from tools.twins import twin_drift


def sanitizer_rules() -> list[tuple[re.Pattern, str]]:
    """The (regex, replace) pairs of nbval's sanitizer file, in order."""
    lines = (ROOT / "tests" / "nbval_sanitize.cfg").read_text().splitlines()
    values = [line.split(":", 1)[1].strip() for line in lines if line.startswith(("regex:", "replace:"))]
    return [(re.compile(regex), replace) for regex, replace in zip(values[0::2], values[1::2], strict=True)]


SANITIZE = sanitizer_rules()
GUARDED = getattr(socket, "SOFTMAX_COURSE_GUARD", False)


def write_notebook(folder: Path, name: str, cells: list[str]) -> Path:
    path = folder / f"{name}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    return path


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_twins_in_sync(source):
    drift = twin_drift(source)
    assert drift is None, drift


def test_every_notebook_has_a_source():
    notebooks = NOTEBOOKS.glob(LESSON_PATTERN.replace(".py", ".ipynb"))
    orphans = [nb.name for nb in notebooks if not nb.with_suffix(".py").exists()]
    assert not orphans, f"notebooks without a .py source: {orphans}; run `make sync`"


def test_sanitizer_masks_only_addresses():
    assert len(SANITIZE) == 1
    pattern, replacement = SANITIZE[0]
    assert pattern.sub(replacement, "<torch._C.Generator at 0x7faba8602ad0>") == (
        "<torch._C.Generator at 0xADDRESS>"
    )
    assert pattern.sub(replacement, "Epoch 5000/5000 Cost: 0.132442") == (
        "Epoch 5000/5000 Cost: 0.132442"
    )


def test_editing_a_py_without_sync_is_caught(tmp_path):
    for suffix in (".py", ".ipynb"):
        shutil.copy(NOTEBOOKS / f"01_softmax{suffix}", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    source = tmp_path / "01_softmax.py"
    assert twin_drift(source) is None
    source.write_text(source.read_text().replace("z = torch.FloatTensor([1, 2, 3])", "z = torch.FloatTensor([1, 2, 4])"))
    drift = twin_drift(source)
    assert drift is not None and "01_softmax.py" in drift and "make sync execute" in drift


def test_a_cell_edited_in_the_notebook_is_caught(tmp_path):
    for suffix in (".py", ".ipynb"):
        shutil.copy(NOTEBOOKS / f"02_one_hot{suffix}", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    twin = tmp_path / "02_one_hot.ipynb"
    notebook = jupytext.read(twin)
    notebook.cells[1].source += "\nprint('edited in JupyterLab')"
    nbformat.write(notebook, twin)
    assert "02_one_hot.py" in twin_drift(tmp_path / "02_one_hot.py")


@pytest.mark.parametrize(
    "edit",
    ["slide type", "tag", "hidden input", "seminar page"],
)
def test_metadata_edited_in_the_notebook_is_caught(tmp_path, edit):
    """The slides, the solutions' tags, a hidden input and the page's front matter live in
    metadata: a change there without ``make sync`` is drift like a changed line of code."""
    for suffix in (".py", ".ipynb"):
        shutil.copy(NOTEBOOKS / f"02_one_hot{suffix}", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    twin = tmp_path / "02_one_hot.ipynb"
    assert twin_drift(tmp_path / "02_one_hot.py") is None
    notebook = nbformat.read(twin, as_version=4)
    cell = notebook.cells[1]
    if edit == "slide type":
        cell.metadata["slideshow"] = {"slide_type": "skip"}
    elif edit == "tag":
        cell.metadata["tags"] = [*cell.metadata.get("tags", []), "solution"]
    elif edit == "hidden input":
        cell.metadata["jupyter"] = {"source_hidden": True}
    else:
        notebook.metadata["seminar"]["nav_order"] = 99
    nbformat.write(notebook, twin)
    drift = twin_drift(tmp_path / "02_one_hot.py")
    assert drift is not None and "02_one_hot.py" in drift


NBVAL_CASES = {
    "crash": ["print(1)", "import os\nos._exit(1)", "print(2)"],
    "raising": ["x = 1", "raise ValueError('boom in a lesson')"],
}


@pytest.fixture(scope="module")
def nbval_run() -> tuple[Path, int, str, float]:
    """One nbval run, on two workers from a shell with four threads, over small notebooks:
    a crashing kernel, a raising cell; stored outputs that differ from a fresh run only
    in an address (which the sanitizer masks) and in the last digit of a number (which
    it must not); and a notebook whose second cell needs the first cell's variable and
    prints the kernel's thread settings."""
    folder = ROOT / "build" / "reliability" / "nbval"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths = [write_notebook(folder, name, cells) for name, cells in NBVAL_CASES.items()]
    seeded = nbformat.v4.new_code_cell("import torch\ntorch.manual_seed(1)", execution_count=1)
    seeded.outputs = [nbformat.v4.new_output(
        "execute_result", data={"text/plain": "<torch._C.Generator at 0x7faba8602ad0>"},
        execution_count=1,
    )]  # fmt: skip
    softmax = nbformat.v4.new_code_cell(
        "print(torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0))", execution_count=2
    )
    softmax.outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="tensor([0.0900, 0.2447, 0.6653])\n"
    )]  # fmt: skip
    threads = nbformat.v4.new_code_cell(
        'print(os.environ["OMP_NUM_THREADS"], os.environ["MKL_NUM_THREADS"], x)',
        execution_count=2,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="1 1 1\n")],
    )
    notebooks = {
        "changed": [seeded, softmax],
        "threads": [nbformat.v4.new_code_cell("import os\nx = 1", execution_count=1), threads],
    }
    for name, cells in notebooks.items():
        paths.append(folder / f"{name}.ipynb")
        nbformat.write(nbformat.v4.new_notebook(cells=cells), paths[-1])
    # xdist's default hands each of the two workers two items first, in collection order:
    # behind a one-cell notebook, the threads notebook's two cells go to different workers,
    # so only --dist loadfile keeps them in one kernel.
    one_cell = write_notebook(folder, "one_cell", ["print('one cell')"])
    paths = [one_cell, paths.pop(), *paths]
    env = {**os.environ, "OMP_NUM_THREADS": "4", "MKL_NUM_THREADS": "4"}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-n", "2", "-rA", "-p", "no:cacheprovider",
         *map(str, paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = ANSI_ESCAPE.sub("", result.stdout + result.stderr)
    yield folder.relative_to(ROOT), result.returncode, output, time.monotonic() - start
    shutil.rmtree(folder, ignore_errors=True)


def test_a_crashing_kernel_fails_nbval_fast_naming_the_cell(nbval_run):
    folder, returncode, output, seconds = nbval_run
    assert returncode != 0
    assert f"FAILED {folder}/crash.ipynb::Cell 1" in output
    assert "the kernel died while executing this cell" in output
    assert seconds < 60, f"nbval took {seconds:.0f} s over four small notebooks"


def test_an_exception_in_a_lesson_fails_nbval_naming_the_cell(nbval_run):
    folder, returncode, output, _ = nbval_run
    assert f"FAILED {folder}/raising.ipynb::Cell 1" in output
    assert "ValueError: boom in a lesson" in output


def test_a_changed_number_fails_nbval_and_an_address_does_not(nbval_run):
    """The sanitizer masks addresses only: a stored number off in its last digit fails."""
    folder, _, output, _ = nbval_run
    assert f"PASSED {folder}/changed.ipynb::Cell 0" in output, output
    assert f"FAILED {folder}/changed.ipynb::Cell 1" in output
    assert "0.6653" in output and "0.6652" in output


def run_execute(capsys: pytest.CaptureFixture, *paths: Path) -> tuple[int, str, str]:
    """``make execute``'s command on ``paths``, in this process (its kernels are new
    processes): the exit status, stdout, and stderr with the exit message."""
    try:
        execute_main([str(path) for path in paths])
        returncode, message = 0, ""
    except SystemExit as exit:  # a str code: status 1, the message on stderr
        returncode, message = 1, str(exit.code)
    out, err = capsys.readouterr()
    return returncode, out, err + message


EXECUTE_FAILURES = {
    "dead kernel": (["x = 1", "import os\nos._exit(1)"], "cell 1 ('import os') failed: DeadKernelError"),
    "raising cell": (["x = 1", "raise ValueError('boom')"], "cell 1 (\"raise ValueError('boom')\") failed"),
}


@pytest.mark.parametrize("failure", EXECUTE_FAILURES)
def test_a_failed_make_execute_names_the_cell_and_changes_no_notebook(scratch, failure, capsys):
    cells, expected = EXECUTE_FAILURES[failure]
    # "earlier" executes fine before the failure: storing its output would change its bytes.
    earlier = write_notebook(scratch, "earlier", ["print('executed before the failure')"])
    failing = write_notebook(scratch, "failing", cells)
    later = write_notebook(scratch, "later", ["print('never reached')"])
    notebooks = [earlier, failing, later]
    before = {path.name: path.read_bytes() for path in notebooks}
    returncode, stdout, stderr = run_execute(capsys, *notebooks)
    assert returncode != 0
    assert f"executing {earlier}" in stdout and f"executing {later}" not in stdout
    assert f"{failing}: {expected}" in stderr
    assert {path.name: path.read_bytes() for path in notebooks} == before
    assert sorted(p.name for p in scratch.iterdir()) == sorted(before), "no temporary file is left"


def test_make_execute_stores_the_outputs_in_place(scratch, capsys):
    path = write_notebook(scratch, "fine", ["print(6 * 7)"])
    path.chmod(0o644)
    returncode, _, stderr = run_execute(capsys, path)
    assert returncode == 0, stderr
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] == "42\n"
    assert [p.name for p in scratch.iterdir()] == ["fine.ipynb"], "no temporary file is left"
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o644, "the notebook keeps its permissions"


needs_guard = pytest.mark.skipif(
    not GUARDED, reason="the network guard is installed by `make test` (PYTHONPATH=tests/offline)"
)


@needs_guard
def test_the_test_process_cannot_reach_the_network(monkeypatch, tmp_path):
    log = tmp_path / "attempts.log"
    monkeypatch.setenv("SOFTMAX_COURSE_NETWORK_LOG", str(log))
    with pytest.raises(OSError, match="blocked by the softmax-course test guard"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(OSError, match="name lookup of pypi.org"):
        socket.getaddrinfo("pypi.org", 443)
    assert log.read_text().count("\n") == 2


@needs_guard
def test_kernels_cannot_reach_the_network(monkeypatch, scratch):
    log = scratch / "attempts.log"
    monkeypatch.setenv("SOFTMAX_COURSE_NETWORK_LOG", str(log))
    probe = write_notebook(scratch, "probe", [
        "import socket, urllib.request\nprint(getattr(socket, 'SOFTMAX_COURSE_GUARD', False))",
        "try:\n    urllib.request.urlopen('https://pypi.org', timeout=2)\nexcept OSError as error:\n    print(error)",
    ])
    outputs = [o.get("text", "") for c in execute_notebook(probe).cells for o in c.outputs]
    assert outputs[0] == "True\n"
    assert "blocked by the softmax-course test guard" in outputs[1]
    assert "pypi.org" in log.read_text()


def test_root_conftest_gives_kernels_one_thread_and_keeps_a_notebook_on_one_worker(nbval_run):
    """The shell said four threads; the kernels of ``pytest --nbval -n 2`` get one, and a
    notebook's cells stay in one kernel (the second cell needs the first's ``x``)."""
    folder, _, output, _ = nbval_run
    assert f"PASSED {folder}/threads.ipynb::Cell 0" in output, output
    assert f"PASSED {folder}/threads.ipynb::Cell 1" in output, output
