"""A Colab-like kernel: another torch than the pin, the helpers installed by the first cell.

``make colab-env`` builds ``.venv-colab`` with PyPI's CUDA build of torch 2.14.1
(Colab has a torch of its own) and what a Colab runtime has besides (Jupyter,
matplotlib, scikit-learn), but not the course. ``install_as_on_colab`` makes a
fresh environment on top of it and runs a release's Colab cell there, as Colab
would (``google.colab`` imported), offline from ``make release-wheels``' wheels.
JupyterLab's kernel in ``test_lab_browser.py`` is that environment: every
lesson runs there, and the test checks that the cell kept Colab's torch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from conftest import EXECUTED, ROOT
from tools.release import package_spec

#: The release's repository: its Colab cell installs the helpers from there.
URL = "https://github.com/softmax-course/softmax-exercises"
COLAB_VENV = ROOT / ".venv-colab"
COLAB_TORCH = "2.14.1"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
#: Seconds: a fresh install takes a few minutes at most.
INSTALL_TIMEOUT = 900
#: The environments of the release and Colab tests come from the Makefile (make
#: release-wheels, make colab-env), which Windows, running the make-free commands, does not have.
NEEDS_MAKE = pytest.mark.skipif(sys.platform == "win32", reason="needs make test's environments")


@dataclass
class ColabKernel:
    """The Colab-like environment after the Colab cell ran, and what it had before."""

    python: Path
    torch_before: str
    torch_after: str
    course_before: bool
    course_at: Path


def fresh_colab_python(folder: Path) -> Path:
    """A new venv in ``folder`` that sees ``.venv-colab``'s packages (another torch), no course."""
    base = COLAB_VENV / "bin" / "python"
    if not base.is_file():
        pytest.fail(f"{COLAB_VENV.relative_to(ROOT)} is missing: run `make colab-env`")
    purelib = subprocess.run([base, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (Path(own) / "colab.pth").write_text(purelib + "\n")
    assert sysconfig.get_path("purelib") != purelib, "not this environment"
    return python


def install_as_on_colab(release: Path, url: str, folder: Path, env: dict[str, str]) -> ColabKernel:
    """Run ``release``'s Colab cell (the package from ``release``, not from ``url``) in a fresh
    Colab-like environment in ``folder``, offline."""
    if not (WHEELHOUSE / ".downloaded").is_file():
        pytest.fail(f"{WHEELHOUSE.relative_to(ROOT)} is missing: run `make release-wheels`")
    python = fresh_colab_python(folder)
    env = {**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE),
           "PIP_CONFIG_FILE": os.devnull}  # fmt: skip
    version = [python, "-c", "import torch; print(torch.__version__)"]
    before = subprocess.run(version, capture_output=True, text=True, env=env, check=True).stdout
    missing = subprocess.run([python, "-c", "import softmax_course"], env=env,
                             capture_output=True, check=False)  # fmt: skip

    first = nbformat.read(release / "notebooks" / EXECUTED[0].name, as_version=4).cells[0]
    cell = first.source.replace(package_spec(url, "main"), f"softmax-course @ {release.as_uri()}")
    assert cell != first.source, "the Colab cell installs the package from the repository's URL"
    as_on_colab = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('colab')\n"
    subprocess.run([python, "-c", as_on_colab + cell], env=env, check=True, timeout=INSTALL_TIMEOUT)
    after = subprocess.run(version, capture_output=True, text=True, env=env, check=True).stdout
    where = subprocess.run([python, "-c", "import softmax_course; print(softmax_course.__file__)"],
                           capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    return ColabKernel(python, before.strip(), after.strip(), missing.returncode == 0,
                       Path(where.strip()))  # fmt: skip
