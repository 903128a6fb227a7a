"""No command leaves a half-written file: a write cut short keeps the old file, or none.

Each command that writes a notebook, page, deck or grade table runs here once
whole, then again with the files of the process limited to half the size of the
largest file it wrote (``RLIMIT_FSIZE``), so that write fails partway, as on a
full disk. After it,
every file the command writes is either as it was before or whole (equal to an
uncut run's), none is lost, and nothing temporary is left beside it: the write
that was cut went through ``write_atomically``. That every other write of the
tools and the package goes through it too is checked on their code: a call
that writes a file anywhere else is named, unless it is one of ``OTHER_WRITES``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOKS

resource = pytest.importorskip("resource", reason="file size limits are POSIX only")

OLD = b"old contents\n"
#: A lesson without figures: its page is the largest file ``make site`` writes for it.
LESSON = NOTEBOOKS / "02_one_hot.ipynb"

#: Each command: the code that writes into ``out``, and whether it replaces files already
#: there (or, like ``make lab``'s copy into work/, only adds the missing ones).
COMMANDS = {
    "make execute": ("from tools.execute import execute\nexecute([out / 'big.ipynb'])\n", True),
    "make student": (
        "from tools.export import write_student_versions\n"
        f"write_student_versions([Path({str(LESSON)!r})], out)\n",
        True,
    ),
    "make slides": (
        f"from tools.export import write_slides\nwrite_slides([Path({str(LESSON)!r})], out)\n",
        True,
    ),
    "make site": (
        f"from tools.export import write_site\nwrite_site([Path({str(LESSON)!r})], out)\n",
        True,
    ),
    "make grade": (
        "from tools.grade import find_handed, write_table\n"
        "submissions = out.parent / (out.name + '-in')\n"
        "for index in range(30):\n"
        "    (submissions / f'student{index:02}').mkdir(parents=True, exist_ok=True)\n"
        "    (submissions / f'student{index:02}' / 'notes.ipynb').write_bytes(b'not a notebook')\n"
        "students, handed = find_handed(submissions, ['01_softmax'])\n"
        "write_table(students, handed, [], submissions, out)\n",
        True,
    ),
    "make lab": (
        f"from softmax_course.workspace import update\nupdate(Path({str(NOTEBOOKS)!r}), out)\n",
        False,
    ),
}


def prepare(command: str, out: Path) -> None:
    """What is in ``out`` before the command: for make execute, a notebook with a long output."""
    out.mkdir(parents=True)
    if command == "make execute":
        cell = nbformat.v4.new_code_cell("print('x' * 50_000)")
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), out / "big.ipynb")


def setup(out: Path) -> str:
    return f"from pathlib import Path\nout = Path({str(out)!r})\n"


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Let no file of this process (or a process it starts) grow beyond ``limit`` bytes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_a_write_cut_short_leaves_the_old_file_or_none(command, tmp_path):
    code, replaces = COMMANDS[command]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    prepare(command, whole)
    exec(setup(whole) + code, {})  # noqa: S102 - the test's own table
    written = files(whole)
    prepare(command, cut)
    for name in written if replaces else ():
        if not (cut / name).exists():
            (cut / name).parent.mkdir(parents=True, exist_ok=True)
            (cut / name).write_bytes(OLD)
    before = files(cut)

    with file_size_limit(max(map(len, written.values())) // 2):
        with pytest.raises(OSError, match="File too large"):
            exec(setup(cut) + code, {})  # noqa: S102 - the test's own table
    after = files(cut)
    assert set(after) <= set(before) | set(written), sorted(set(after) - set(before) - set(written))
    assert set(before) <= set(after), f"{command} lost {sorted(set(before) - set(after))}"
    torn = [name for name in after if after[name] not in (before.get(name), written.get(name))]
    assert not torn, f"{command} left part of a file: {torn}"
    cut_short = [name for name in written if after.get(name) != written[name]]
    assert cut_short, f"{command} wrote everything: the limit cut nothing"


def test_a_new_file_follows_the_umask_and_a_replaced_one_keeps_its_mode(tmp_path):
    import os

    from softmax_course.workspace import write_atomically

    old_umask = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.ipynb", "{}")
        os.umask(0)
        write_atomically(tmp_path / "open.ipynb", "{}")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "open.ipynb").stat().st_mode & 0o777 == 0o666  # read and write, no run
    (tmp_path / "open.ipynb").unlink()
    kept = tmp_path / "kept.ipynb"
    kept.write_text("old")
    kept.chmod(0o600)
    write_atomically(kept, b"new")
    assert (tmp_path / "new.ipynb").stat().st_mode & 0o777 == 0o640
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.ipynb", "new.ipynb"]


def test_the_temporary_file_is_always_a_new_one(tmp_path, monkeypatch):
    import uuid

    from softmax_course import workspace

    # A file or link already at the temporary name (planted, or the same name drawn twice)
    # is never written through: the write stops, and what the link points to is untouched.
    monkeypatch.setattr(workspace.uuid, "uuid4", lambda: uuid.UUID(int=7))
    target, elsewhere = tmp_path / "grades.csv", tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(OLD)
    temporary = tmp_path / f".grades.csv.{uuid.UUID(int=7).hex[:12]}.partial"
    temporary.symlink_to(elsewhere)
    with pytest.raises(FileExistsError):
        workspace.write_atomically(target, b"new")
    assert elsewhere.read_bytes() == OLD and not target.exists() and temporary.is_symlink()


#: Writes that need not be whole or as they were, with why.
OTHER_WRITES = {
    ("src/softmax_course/workspace.py", "write_atomically"): "the one whole-or-nothing writer",
    ("tools/grade.py", "run_in_sandbox"): "a submission's inputs, in a folder of its own run",
    ("tools/grade.py", "_run"): "the sandbox's log, in that folder",
    ("tools/run_submission.py", "main"): "the answers' pipe, not a file",
    ("tools/release.py", "write_release"): "rebuilt from nothing; only its last step, a commit, "
    "is what students pull",
}
WRITING_METHODS = {"write_text", "write_bytes", "touch"}


def writes_in(path: Path) -> list[tuple[str, int]]:
    """Each call in ``path`` that writes a file: (the function it is in, its line)."""
    import ast

    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else function
            if isinstance(child, ast.Call):
                called = child.func
                attribute = called.attr if isinstance(called, ast.Attribute) else ""
                text = ast.unparse(called)
                modes = [a.value for a in child.args[1:2] if isinstance(a, ast.Constant)]
                modes += [k.value.value for k in child.keywords
                          if k.arg == "mode" and isinstance(k.value, ast.Constant)]  # fmt: skip
                if (attribute in WRITING_METHODS or text in {"nbformat.write", "shutil.copyfile"}
                        or (attribute in {"open", "fdopen"} or text == "open")
                        and any(set(str(m)) & set("wax+") for m in modes)):  # fmt: skip
                    found.append((name, child.lineno))
            visit(child, name)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_every_file_is_written_whole_or_not_at_all_except_where_said():
    from conftest import ROOT

    sources = [*ROOT.glob("tools/*.py"), *ROOT.glob("src/softmax_course/**/*.py")]
    unsaid = [
        f"{path.relative_to(ROOT)}:{line} in {function}"
        for path in sources
        for function, line in writes_in(path)
        if (path.relative_to(ROOT).as_posix(), function) not in OTHER_WRITES
    ]
    assert not unsaid, "writes not through write_atomically:\n" + "\n".join(unsaid)
