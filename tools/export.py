"""``make student``, ``make slides`` and ``make site``: files built from the stored outputs.

    python -m tools.export student|slides|site notebooks/*.ipynb [--out DIR]

Nothing is re-executed. Every file made here is public, so each is built from
the student version of a lesson: the cells tagged ``solution`` removed, and
under each check cell the output that the check prints for the untouched stub
("not written yet"), as a student sees it before writing anything. The student
notebooks also leave out the speaker's notes; the slides keep them for the
speaker view.

The student notebooks (``build/student/NN_topic.ipynb``) are generated and
rewritten whole every time: nobody works in them. ``make lab`` copies each
once into ``work/`` (git-ignored, ``softmax_course.workspace``), and
``make release`` ships them (``tools.release``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import MarkdownExporter, SlidesExporter

from softmax_course.workspace import stamp, write_atomically
from tools import ROOT

#: The generated student notebooks (``make student``): rewritten whole, never worked in.
STUDENT_DIR = ROOT / "build" / "student"
#: Where a student works (``make lab`` copies each lesson there once; git ignores it).
WORK_DIR = ROOT / "work"
#: The notebook metadata a student notebook keeps (no jupytext pairing, no seminar front matter).
STUDENT_METADATA = ("kernelspec", "language_info")

#: nbconvert's reveal template without its mermaid import, which in this
#: nbconvert version is a CDN URL that no option can change (the lessons draw
#: no mermaid diagrams).
SLIDES_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
alt="{{ output | get_metadata('alt', 'image/png') | escape_html }}">
</div>
{%- endblock data_png -%}
"""

#: nbconvert's Markdown template, with each figure's alt text (``plotting.show``
#: stores it in the output's metadata) in place of the word "png".
SITE_TEMPLATE = """{%- extends 'index.md.j2' -%}
{% block data_png %}
{%- set alt = output | get_metadata('alt', 'image/png') | markdown_alt %}
![{{ alt }}]({{ output.metadata.filenames['image/png'] | path2url }})
{% endblock data_png %}
"""


def markdown_alt(text: str | None) -> str:
    """``text`` on one line, the brackets that would end a Markdown alt text escaped."""
    if not text:
        return ""
    one_line = " ".join(str(text).split())
    return one_line.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


#: Front matter of a page of the seminar's site (the seminar page's keys, in its
#: order) and the site's values, used where a notebook's ``seminar`` metadata is silent.
PAGE_DEFAULTS = {
    "layout": "default",
    "title": None,
    "date": "2022-11-22 01:11:34 +0900",
    "collection": "2022-2",
    "usemathjax": True,
    "last_modified_date": None,
    "nav_order": None,
    "parent": "2022 Fall Seminar",
    "author": "softmax-course",
}


def checker_calls(source: str) -> list[ast.Call]:
    """The calls of a course checker (``check_<exercise>``, ``reveal_prediction``) in a cell."""
    from softmax_course.exercises import EXERCISES

    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and (node.func.id in EXERCISES or node.func.id == "reveal_prediction")
    ]  # fmt: skip


def unsolved_output(source: str) -> str:
    """What a check cell prints while its exercise is untouched (the stub raises, or ``...``).

    The check cell calls one checker (``check_<exercise>(fn)``) or
    ``reveal_prediction(prediction, truth)``; this computes the checker's own
    message for the stub, so a stored output can never claim work not done.
    """
    from softmax_course.exercises import EXERCISES, reveal_prediction

    calls = [call.func.id for call in checker_calls(source)]
    if len(calls) != 1:
        raise ValueError(f"a check cell calls exactly one checker, this one {calls}:\n{source}")

    def stub(*args: object) -> None:
        raise NotImplementedError

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if calls[0] == "reveal_prediction":
            reveal_prediction(..., 0.0)
        else:
            EXERCISES[calls[0]].check(stub)
    return printed.getvalue()


def student_version(
    notebook: nbformat.NotebookNode, lesson: str | None = None, notes: bool = False
) -> nbformat.NotebookNode:
    """The lesson as a student gets it: no solution cells, each check showing the unsolved state.

    The speaker's notes (``slide_type`` "notes") go too, unless ``notes`` (the
    slides keep them for the speaker view). Code cells are numbered again in
    order (the cells a student runs), and the notebook keeps only its kernel
    metadata, plus, given ``lesson``, the lesson's name and version
    (``softmax_course.workspace.stamp``), which tell a working copy that a
    newer version exists.
    """
    student = nbformat.from_dict(json.loads(json.dumps(notebook)))
    student.cells = [
        cell for cell in student.cells
        if "solution" not in cell.metadata.get("tags", [])
        and (notes or slide_type(cell) != "notes")
    ]  # fmt: skip
    count = 0
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = count
        if "check" in cell.metadata.get("tags", []):
            text = unsolved_output(cell.source)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    student.metadata = nbformat.from_dict(
        {key: notebook.metadata[key] for key in STUDENT_METADATA if key in notebook.metadata}
    )
    if lesson is not None:
        stamp(student, lesson)
    return student


def student_bytes(lesson: Path) -> bytes:
    """The student notebook of ``lesson`` (an executed .ipynb), as ``make student`` writes it."""
    notebook = student_version(nbformat.read(lesson, as_version=4), lesson.stem)
    return nbformat.writes(notebook).encode("utf-8") + b"\n"


def write_student_versions(paths: Sequence[Path], out_dir: Path = STUDENT_DIR) -> list[Path]:
    """Write ``out_dir/NN_topic.ipynb`` for each lesson, replacing what was there.

    ``out_dir`` is generated (``build/student``); a student works in a copy of
    it (``make lab``), so nothing here is anyone's work. A notebook no lesson
    makes any more is removed, so that the folder holds exactly the lessons.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out_dir / path.name
        data = student_bytes(path)
        if not target.exists() or target.read_bytes() != data:
            write_atomically(target, data)
        written.append(target)
    names = {path.name for path in paths}
    for stale in out_dir.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    return written


def write_slides(paths: Sequence[Path], out_dir: Path, vendor: str = "vendor") -> list[Path]:
    """Write ``out_dir/NN_topic.slides.html`` from stored outputs (``make slides``).

    Every script the deck loads comes from ``out_dir/vendor`` (installed by the
    Makefile from the npm registry), so the slides work with no network. The
    deck is public: built from the student version (the solutions are
    skipped slides anyway).
    """
    exporter = SlidesExporter(
        extra_loaders=[DictLoader({"course_slides.html.j2": SLIDES_TEMPLATE})],
        template_file="course_slides.html.j2",
        reveal_url_prefix=f"{vendor}/reveal.js",
        reveal_theme="white",
        reveal_number="c/t",
        reveal_scroll=True,
        require_js_url=f"{vendor}/require.js",
        jquery_url=f"{vendor}/jquery.min.js",
        mathjax_url=f"{vendor}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        lesson = student_version(nbformat.read(path, as_version=4), notes=True)
        body, _ = exporter.from_notebook_node(lesson)
        target = out_dir / f"{path.stem}.slides.html"
        write_atomically(target, body)
        written.append(target)
    return written


def slide_type(cell: nbformat.NotebookNode) -> str | None:
    """A cell's ``slideshow.slide_type`` (slide, subslide, fragment, skip, notes), if any."""
    return cell.metadata.get("slideshow", {}).get("slide_type")


def count_slides(notebook: nbformat.NotebookNode) -> int:
    """The number of reveal.js slides the cells' ``slideshow`` metadata asks for."""
    return sum(slide_type(cell) in ("slide", "subslide") for cell in notebook.cells)


def last_modified(path: Path) -> str:
    """The date of the last commit that touched ``path`` (its mtime outside git)."""
    result = subprocess.run(
        ["git", "log", "-1", "--format=%cd", "--date=format:%Y-%m-%d %z", "--", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0 and result.stdout.strip():
        return result.stdout.strip()
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone().strftime("%Y-%m-%d %z")


def front_matter(notebook: nbformat.NotebookNode, path: Path) -> str:
    """Jekyll front matter in the seminar's format, from the notebook's ``seminar`` metadata."""
    values = dict(PAGE_DEFAULTS)
    values["title"] = path.stem
    values["last_modified_date"] = last_modified(path.with_suffix(".py"))
    values.update(notebook.metadata.get("seminar", {}))
    lines = ["---"]
    for key, value in values.items():
        if value is None:
            raise ValueError(f"{path.name}: seminar metadata needs a value for {key!r}")
        if isinstance(value, bool):
            value = str(value).lower()
        elif key == "title":
            value = json.dumps(str(value), ensure_ascii=False)
        lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def write_site(paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """Write ``out_dir/NN_topic.md`` seminar pages and their figures (``make site``).

    The pages show the student version (no exercise solutions): they are public.
    They are read, not presented: the speaker notes stay in the lessons and slides.
    """
    exporter = MarkdownExporter(
        extra_loaders=[DictLoader({"course_site.md.j2": SITE_TEMPLATE})],
        template_file="course_site.md.j2",
    )
    exporter.register_filter("markdown_alt", markdown_alt)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        lesson = nbformat.read(path, as_version=4)
        notebook = student_version(lesson)  # without the speaker's notes
        files_dir = f"{path.stem}_files"
        body, resources = exporter.from_notebook_node(
            notebook, resources={"output_files_dir": files_dir, "unique_key": path.stem}
        )
        for name, data in resources.get("outputs", {}).items():
            figure = out_dir / name
            figure.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(figure, data)
        target = out_dir / f"{path.stem}.md"
        write_atomically(target, front_matter(lesson, path) + body)
        written.append(target)
    return written


#: ``make student|slides|site``: each writes its lessons' files (in build/).
WRITERS = {
    "student": (write_student_versions, "write the student notebooks (build/student/)"),
    "slides": (write_slides, "write reveal.js slides"),
    "site": (write_site, "write Jekyll seminar pages"),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.export")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in WRITERS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("notebooks", nargs="*", type=Path)
        default = STUDENT_DIR if name == "student" else ROOT / "build" / name
        command.add_argument("--out", type=Path, default=default)
    args = parser.parse_args(argv)
    write, _ = WRITERS[args.command]
    written = write(args.notebooks, args.out)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
