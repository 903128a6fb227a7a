"""The course's build steps, called by the Makefile: ``python -m softmax_course.build``.

``execute`` stores each lesson's outputs (``make execute``); ``lab-settings``
configures the JupyterLab of ``.venv`` (``make setup``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from jupytext_config.labconfig import LabConfig
from nbclient import NotebookClient

#: Seconds a single cell may run before execution fails (training cells take ~2 s).
CELL_TIMEOUT = 120


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Every kernel name resolves to this interpreter, so outputs never come from
    another Python that a user-level ``python3`` kernelspec might point to."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (ipykernel)",
            language="python",
            resource_dir="",
        )


def execute_notebook(path: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel in its folder; return the notebook."""
    notebook = nbformat.read(path, as_version=4)
    kernel_manager = KernelManager(
        kernel_name="python3", kernel_spec_manager=CurrentEnvKernelSpecManager()
    )
    client = NotebookClient(
        notebook,
        km=kernel_manager,
        timeout=timeout,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    # The interpreter's patch version is machine noise in a reviewed diff.
    notebook.metadata.get("language_info", {}).pop("version", None)
    return notebook


def execute(paths: Sequence[Path]) -> None:
    """Execute each notebook and write it back with its outputs (``make execute``)."""
    for path in paths:
        print(f"executing {path}", flush=True)
        nbformat.write(execute_notebook(path), path)


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m softmax_course.build")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute lessons and store their outputs")
    run.add_argument("notebooks", nargs="*", type=Path)
    commands.add_parser("lab-settings", help="write JupyterLab overrides into the venv")
    args = parser.parse_args(argv)
    if args.command == "execute":
        execute(args.notebooks)
    elif args.command == "lab-settings":
        print(f"wrote {write_lab_settings()}")


if __name__ == "__main__":
    main()
