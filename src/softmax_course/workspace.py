"""Your working copy of the lessons: copied once, never overwritten by an update.

    python -m softmax_course.workspace NOTEBOOKS WORK [--beside NN_topic ...]

``make lab`` runs this before it opens JupyterLab on ``WORK`` (``work/``, which
git ignores). A lesson missing from ``WORK`` is copied there from
``NOTEBOOKS`` (the lessons as published); a notebook already in ``WORK`` is
yours and is never written again. When the published lesson is newer than
the one your copy started from, this says so, and ``--beside NN_topic`` puts
the new version next to yours as ``NN_topic.<version>.ipynb``.

Each published notebook carries its lesson and version in its metadata
(``softmax_course``): the version is a digest of its cells, so a copy that you
edited still says which version it started from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import stat
import uuid
from collections.abc import Sequence
from pathlib import Path

#: The notebook metadata key that names a published notebook's lesson and version.
KEY = "softmax_course"


def digest(cells: list) -> str:
    """A short digest of a notebook's cells: the same cells give the same version."""
    text = json.dumps(cells, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def stamp(notebook: dict, lesson: str) -> dict:
    """Record ``lesson`` and the version of ``notebook``'s cells in its metadata (in place)."""
    record = {"lesson": lesson, "version": digest(notebook["cells"])}
    notebook.setdefault("metadata", {})[KEY] = record
    return notebook


def version(path: Path) -> str | None:
    """The version a notebook was published as (or copied from); ``None`` if it has none."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return notebook.get("metadata", {}).get(KEY, {}).get("version")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all.

    It goes to a temporary file beside ``path`` first, which ``os.replace`` then
    swaps in one step: a write cut short (a full disk, a killed process) leaves
    the old file, or no file, never a part of one that a later run would keep.
    A new file gets the permissions any new file gets (the umask's); a replaced
    one keeps its own.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def beside_name(lesson: str, new_version: str) -> str:
    """The file name of a newer version put beside the student's own copy."""
    return f"{lesson}.{new_version}.ipynb"


def update(published: Path, work: Path, beside: Sequence[str] = ()) -> list[str]:
    """Copy every lesson missing from ``work``; report (and on request copy beside) newer ones.

    Returns one line per thing done or to know. Never writes over a file in ``work``.
    """
    lessons = sorted(path for path in published.glob("[0-9][0-9]_*.ipynb") if "." not in path.stem)
    if not lessons:
        raise FileNotFoundError(f"no lesson notebooks (NN_topic.ipynb) in {published}")
    unknown = sorted(set(beside) - {path.stem for path in lessons})
    if unknown:
        raise ValueError(f"no such lesson in {published}: {', '.join(unknown)}")
    work.mkdir(parents=True, exist_ok=True)
    report = []
    for lesson in lessons:
        mine = work / lesson.name
        if not mine.exists():
            write_atomically(mine, lesson.read_bytes())
            report.append(f"new lesson: {mine}")
            continue
        new_version = version(lesson)
        if new_version is None or version(mine) == new_version:
            continue
        newer = work / beside_name(lesson.stem, new_version)
        if lesson.stem in beside and not newer.exists():
            write_atomically(newer, lesson.read_bytes())
            report.append(f"{lesson.stem}: the new version is beside yours: {newer}")
        elif newer.exists():
            report.append(f"{lesson.stem}: the new version is beside yours: {newer}")
        else:
            report.append(
                f"{lesson.stem}: a newer version is published; yours ({mine}) is left as it is. "
                f"`make lab NEW={lesson.stem}` (or `python -m softmax_course.workspace "
                f"{published} {work} --beside {lesson.stem}`) puts it beside yours as {newer.name}"
            )
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m softmax_course.workspace", description=__doc__)
    parser.add_argument("published", type=Path, help="the published lessons (NN_topic.ipynb)")
    parser.add_argument("work", type=Path, help="your working copy (created if missing)")
    parser.add_argument("--beside", nargs="*", default=[], metavar="NN_topic",
                        help="copy these lessons' newer versions beside your own")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        report = update(args.published, args.work, args.beside)
    except (FileNotFoundError, ValueError) as error:
        parser.exit(2, f"{error}\n")
    for line in report:
        print(line)


if __name__ == "__main__":
    main()
