"""The course's build steps, called by the Makefile: ``python -m softmax_course.build``.

``execute`` stores each lesson's outputs (``make execute``), ``student`` writes
the lessons without solutions (``make student``), ``slides`` and ``site`` turn
the stored outputs into reveal.js slides and Jekyll pages (``make slides``,
``make site``), and ``lab-settings`` configures the JupyterLab of ``.venv``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import jupytext
import nbformat
from jinja2 import DictLoader
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupytext.config import load_jupytext_config
from jupytext_config.labconfig import LabConfig
from nbclient import NotebookClient
from nbconvert import MarkdownExporter, SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import default

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
#: Seconds a single cell may run before execution fails (training cells take ~2 s).
CELL_TIMEOUT = 120

#: nbconvert's reveal template without its mermaid import, which in this
#: nbconvert version is a CDN URL that no option can change (the lessons draw
#: no mermaid diagrams).
SLIDES_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

#: Front matter of the seminar's pages (the seminar's keys, in the seminar's order)
#: and this seminar's values, used where a notebook's ``seminar`` metadata is silent.
SEMINAR_DEFAULTS = {
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


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Every kernel name resolves to this interpreter, so outputs never come from
    another Python that a user-level ``python3`` kernelspec might point to."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            # ERROR: skip the warning that a loopback TCP kernel is unencrypted on every start.
            argv=[
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--IPKernelApp.log_level=ERROR",
            ],
            display_name="Python 3 (ipykernel)",
            language="python",
            resource_dir="",
        )


class CurrentEnvKernelManager(AsyncKernelManager):
    """nbclient's default kernel manager, with kernels from this interpreter."""

    @default("kernel_spec_manager")
    def _current_env_kernel_spec_manager(self) -> KernelSpecManager:
        return CurrentEnvKernelSpecManager()


class LessonExecutionError(RuntimeError):
    """A lesson failed to execute; the message names the lesson and the cell."""


def execute_notebook(path: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel in its folder; return the notebook.

    A failing cell, a timeout or a dying kernel raises :class:`LessonExecutionError`
    naming the lesson and the cell.
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
        # Every output has arrived when execute() returns; a graceful shutdown of
        # a kernel holding torch took ~1 s of the ~3 s a lesson runs.
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
    """Execute each notebook and write it back with its outputs (``make execute``)."""
    for path in paths:
        print(f"executing {path}", flush=True)
        try:
            notebook = execute_notebook(path)
        except LessonExecutionError as error:
            raise SystemExit(f"make execute: {error}") from None
        nbformat.write(notebook, path)


def twin_drift(source: Path) -> str | None:
    """How a lesson's ``.py`` source and its ``.ipynb`` twin disagree; None when in sync.

    The ``.py`` that jupytext writes from the ``.ipynb`` must equal the one on
    disk: an edit to either side without ``make sync`` shows up here.
    """
    twin = source.with_suffix(".ipynb")
    if not twin.exists():
        return f"{twin} is missing: run `make sync execute`"
    config = load_jupytext_config(str(twin))
    expected = jupytext.writes(jupytext.read(twin), "py:percent", config=config)
    if expected != source.read_text(encoding="utf-8"):
        return (
            f"{source} and {twin.name} are out of sync: edit the .py, then run `make sync execute`"
        )
    return None


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
    values = dict(SEMINAR_DEFAULTS)
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
    exporter = MarkdownExporter()
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


def write_lab_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """Open lesson ``.py`` files as notebooks and never ask about Jupyter news.

    Written as JupyterLab's ``overrides.json`` inside the virtual environment,
    so a user's own settings stay untouched.
    """
    settings_file = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    config = LabConfig(settings_file=settings_file).read()
    config.set_default_viewer("python")
    config.config["@jupyterlab/apputils-extension:notification"] = {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
    config.write()
    return settings_file


#: ``make student|slides|site``: each writes its lessons' files under build/.
WRITERS = {
    "student": (write_student_versions, "write student notebooks without solutions"),
    "slides": (write_slides, "write reveal.js slides"),
    "site": (write_site, "write Jekyll seminar pages"),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m softmax_course.build")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute lessons and store their outputs")
    run.add_argument("notebooks", nargs="*", type=Path)
    for name, (_, help_text) in WRITERS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("notebooks", nargs="*", type=Path)
        command.add_argument("--out", type=Path, default=Path("build") / name)
    commands.add_parser("lab-settings", help="write JupyterLab overrides into the venv")
    args = parser.parse_args(argv)
    if args.command == "execute":
        execute(args.notebooks)
    elif args.command == "lab-settings":
        print(f"wrote {write_lab_settings()}")
    else:
        write, _ = WRITERS[args.command]
        for path in write(args.notebooks, args.out):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
