"""``make student``, ``make slides`` and ``make site``: files built from the stored outputs.

    python -m tools.export student|slides|site notebooks/*.ipynb [--out DIR]

Nothing is re-executed. The student notebooks and the seminar pages leave out
the cells tagged ``solution`` (the pages are public); the slides show the
lesson as the speaker presents it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import MarkdownExporter, SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parent.parent

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


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the cells tagged ``solution``, and the outputs of the ``check`` cells
    (a stored pass would claim work the student has not done yet)."""
    remover = TagRemovePreprocessor(
        remove_cell_tags={"solution"}, remove_all_outputs_tags={"check"}, enabled=True
    )
    student, _ = remover.preprocess(notebook, {})
    for cell in student.cells:
        if "check" in cell.metadata.get("tags", []):
            cell.execution_count = None
    return student


def write_student_versions(paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """Write ``out_dir/NN_topic.ipynb`` for each lesson, without solutions (``make student``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out_dir / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def write_slides(paths: Sequence[Path], out_dir: Path, vendor: str = "vendor") -> list[Path]:
    """Write ``out_dir/NN_topic.slides.html`` from stored outputs (``make slides``).

    Every script the deck loads comes from ``out_dir/vendor`` (installed by the
    Makefile from the npm registry), so the slides work with no network.
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
        body, _ = exporter.from_filename(str(path))
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def count_slides(notebook: nbformat.NotebookNode) -> int:
    """The number of reveal.js slides the cells' ``slideshow`` metadata asks for."""
    types = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in notebook.cells]
    return sum(t in ("slide", "subslide") for t in types)


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
    """
    exporter = MarkdownExporter(
        extra_loaders=[DictLoader({"course_site.md.j2": SITE_TEMPLATE})],
        template_file="course_site.md.j2",
    )
    exporter.register_filter("markdown_alt", markdown_alt)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        notebook = student_version(nbformat.read(path, as_version=4))
        files_dir = f"{path.stem}_files"
        body, resources = exporter.from_notebook_node(
            notebook, resources={"output_files_dir": files_dir, "unique_key": path.stem}
        )
        for name, data in resources.get("outputs", {}).items():
            figure = out_dir / name
            figure.parent.mkdir(parents=True, exist_ok=True)
            figure.write_bytes(data)
        target = out_dir / f"{path.stem}.md"
        target.write_text(front_matter(notebook, path) + body, encoding="utf-8")
        written.append(target)
    return written


#: ``make student|slides|site``: each writes its lessons' files under build/.
WRITERS = {
    "student": (write_student_versions, "write student notebooks without solutions"),
    "slides": (write_slides, "write reveal.js slides"),
    "site": (write_site, "write Jekyll seminar pages"),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.export")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in WRITERS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("notebooks", nargs="*", type=Path)
        command.add_argument("--out", type=Path, default=ROOT / "build" / name)
    args = parser.parse_args(argv)
    write, _ = WRITERS[args.command]
    for path in write(args.notebooks, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
