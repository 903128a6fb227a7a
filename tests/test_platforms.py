"""Every student's machine: the supported Pythons and platforms, said once and kept in step.

``tools.check_platforms`` holds the list; CONTRIBUTING's "Supported platforms"
table, ``pyproject.toml``, the CI workflow and ``environment.yml`` must agree
with it, and the CI's Windows job runs the README's make-free commands. And
``pip install -e .`` alone, in a fresh environment, must leave JupyterLab
opening a lesson ``.py`` as a notebook.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml
from jupyterlab_server.settings_utils import get_settings
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT
from tools.check_platforms import PLATFORMS, SUPPORTED_PYTHONS, explain_failure, markdown_table

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
SETTINGS = Path("share") / "jupyter" / "lab" / "settings"
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def section(document: str, title: str) -> str:
    """The text of a ``## title`` section of a Markdown document, up to the next ``##`` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", document, re.M | re.S)
    assert match, f"no '## {title}' section"
    return match[1]


def supported_platforms_table() -> tuple[list[str], dict[str, list[str]]]:
    """CONTRIBUTING's table: its platform columns, and each Python's row of cells."""
    first_table = re.search(r"(?:^\|.*\n)+", section(CONTRIBUTING, "Supported platforms"), re.M)
    assert first_table, "the Supported platforms section has no table"
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in first_table[0].splitlines()
        if not line.startswith("|---")
    ]
    assert rows, "the Supported platforms section has no table"
    header, *body = rows
    return header[1:], {row[0]: row[1:] for row in body}


def fenced_block(title: str, language: str) -> list[str]:
    """The command lines of the first ``language`` code block in a README section."""
    match = re.search(rf"```{language}\n(.*?)```", section(README, title), re.S)
    assert match, f"README section {title!r} has no {language} block"
    lines = (line.split(" #")[0].strip() for line in match[1].splitlines())
    return [line for line in lines if line]


def test_platform_table_lists_every_supported_python_and_platform_as_ok():
    columns, rows = supported_platforms_table()
    assert columns == list(PLATFORMS)
    assert list(rows) == list(SUPPORTED_PYTHONS)
    assert all(cells == ["ok"] * len(PLATFORMS) for cells in rows.values()), rows


def test_platform_table_is_the_one_make_check_platforms_prints():
    table = re.search(r"(?:^\|.*\n)+", section(CONTRIBUTING, "Supported platforms"), re.M)[0]
    every_pair_ok = {(python, column): "ok" for python in SUPPORTED_PYTHONS for column in PLATFORMS}
    assert table.strip() == markdown_table(every_pair_ok)


def test_check_platforms_names_the_pin_without_a_wheel():
    # uv 0.13.8's answer for macOS 13, which torch 2.13.0 has no wheel for.
    stderr = (
        "error: No solution found when resolving dependencies\n"
        "  cause: Because torch==2.13.0 has no wheels with a matching platform tag (e.g., "
        "`macosx_13_0_arm64`) and softmax-course depends on torch==2.13.0, we can conclude "
        "that your requirements are unsatisfiable.\n"
    )
    assert explain_failure(stderr) == "no wheel: torch==2.13.0"
    abi = "  cause: Because numpy==2.2.0 has no usable wheels and you require numpy==2.2.0, we ..."
    assert explain_failure(abi) == "no wheel: numpy==2.2.0"
    assert explain_failure("error: Failed to fetch: `https://…`\n") == "error: Failed to fetch: `https://…`"


def test_pyproject_admits_exactly_the_supported_pythons_from_the_oldest_up():
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert str(requires) == f">={SUPPORTED_PYTHONS[0]}", "no upper cap, the oldest supported first"
    assert all(python in requires for python in SUPPORTED_PYTHONS)
    assert "3.10" not in requires
    classified = [
        c.rsplit(":: ", 1)[1]
        for c in PYPROJECT["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert classified == list(SUPPORTED_PYTHONS)


def test_every_dependency_is_pinned_exactly():
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"].values()
    for line in [*project["dependencies"], *(line for extra in extras for line in extra)]:
        specifiers = list(Requirement(line).specifier)
        assert [s.operator for s in specifiers] == ["=="], f"{line!r} is not an exact pin"


def test_reading_a_notebook_builds_no_iri_parsers():
    """nbformat validates every notebook with jsonschema, and jsonschema 4.25 and later
    import rfc3987-syntax, which builds 39 parsers at import: 1 s in every process that
    reads a notebook, twice per graded submission (the grader and its kernel)."""
    code = "import sys, nbformat; print(sorted({'rfc3987_syntax', 'lark'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", "pin jsonschema below 4.25 (see pyproject.toml)"


def test_ci_tests_supported_pythons_on_every_os_and_the_oldest_one():
    matrix = WORKFLOW["jobs"]["test"]["strategy"]["matrix"]
    _, rows = supported_platforms_table()
    pythons = [str(python) for python in matrix["python-version"]]
    assert set(pythons) <= set(rows), f"CI tests {pythons}, CONTRIBUTING supports {list(rows)}"
    assert SUPPORTED_PYTHONS[0] in pythons, "CI must test the oldest supported Python"
    assert sorted(matrix["os"]) == ["macos-latest", "ubuntu-latest", "windows-latest"]


def test_ci_runs_make_test_and_on_windows_the_readmes_powershell_commands():
    steps = WORKFLOW["jobs"]["test"]["steps"]
    unix = [s for s in steps if s.get("if") == "runner.os != 'Windows'"]
    windows = [s for s in steps if s.get("if") == "runner.os == 'Windows'"]
    assert [s["run"] for s in unix] == ["make test PYTHON=python"]
    assert [s.get("shell") for s in windows] == ["pwsh"]
    readme_commands = fenced_block("Without make (Windows, or any shell)", "powershell")
    for command in windows[0]["run"].splitlines():
        if "--upgrade pip" not in command:
            assert command in readme_commands, f"CI runs {command!r}; the README does not show it"
    assert any(line.endswith("pytest --nbval") for line in readme_commands)


def test_environment_yml_installs_the_same_pins_on_a_supported_python():
    assert ENVIRONMENT["channels"] == ["conda-forge"]
    conda, pip = [], []
    for dependency in ENVIRONMENT["dependencies"]:
        if isinstance(dependency, dict):
            pip.extend(dependency["pip"])
        else:
            conda.append(dependency)
    pythons = [d.split("=", 1)[1] for d in conda if d.startswith("python=")]
    assert len(pythons) == 1 and pythons[0] in SUPPORTED_PYTHONS, conda
    assert sorted(conda) == sorted([f"python={pythons[0]}", "pip"]), "pins live in pyproject.toml"
    assert pip == ["-e .[dev]"], "environment.yml must install the course with its dev pins"


def test_badges_point_only_at_the_repository_of_project_urls():
    """A badge (Binder's or any other) names the repository of ``[project.urls]``, or
    none is shown: a badge pointing at a placeholder account sends students nowhere."""
    urls = PYPROJECT["project"].get("urls", {})
    github = r"https://github\.com/([^/\s]+/[^/\s]+?)/?"
    repository = re.fullmatch(github, urls.get("Repository", ""))
    badges = re.findall(r"\[!\[[^\]]*\]\([^)]*\)\]\(([^)\s]+)\)", README)
    binder = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", README)
    assert "OWNER" not in README, "README.md points at a placeholder account"
    if repository is None:
        assert badges == [] and binder == [], f"no [project.urls] Repository, yet badges {badges}"
        return
    for link in badges + binder:
        assert repository[1] in link, f"{link} is not {urls['Repository']}"
    for link in binder:  # a student's seat: the student notebook, without solutions
        lesson = re.search(r"urlpath=lab/tree/(student/[^)&\s]+\.ipynb)", link)
        assert lesson and (ROOT / lesson[1]).is_file(), link


def jupytext_factory() -> str:
    """The document widget name that jupytext's JupyterLab extension registers."""
    static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    for script in static.glob("static/*.js"):
        match = re.search(r'\.FACTORY="([^"]+)"', script.read_text(encoding="utf-8"))
        if match:
            return match[1]
    raise AssertionError(f"no FACTORY in jupytext's lab extension under {static}")


def lab_defaults(app_settings_dir: Path, schema: str, tmp_path: Path) -> dict:
    """The defaults that JupyterLab's settings service serves for one plugin."""
    settings, _ = get_settings(
        app_settings_dir=str(app_settings_dir),
        schemas_dir=str(Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"),
        settings_dir=str(tmp_path / "user-settings"),
        schema_name=schema,
    )
    properties = settings["schema"]["properties"]
    return {name: value.get("default") for name, value in properties.items()}


@pytest.fixture(scope="module")
def fresh_editable_install(tmp_path_factory) -> Path:
    """A new venv with only ``pip install --no-deps -e .``: the course, nothing else.

    It borrows this environment's packages through a ``.pth`` file (pip,
    hatchling, JupyterLab), so the install works offline and takes seconds.
    """
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
               "--no-index", "-e", str(ROOT)]  # fmt: skip
    subprocess.run(install, check=True, cwd=venv)
    return python


def test_pip_install_e_alone_configures_jupyterlab_in_a_fresh_venv(
    fresh_editable_install, tmp_path
):
    python = fresh_editable_install
    venv_prefix = python.parent.parent
    installed = venv_prefix / SETTINGS / "overrides.json"
    assert installed.is_file(), "pip install -e . did not install JupyterLab's overrides.json"
    # Where the JupyterLab started from that venv looks for the overrides.
    app_settings_dir = Path(subprocess.run(
        [python, "-c", "from jupyterlab.labapp import LabApp; print(LabApp().app_settings_dir)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip())  # fmt: skip
    assert app_settings_dir == venv_prefix / SETTINGS
    overrides = json.loads((app_settings_dir / "overrides.json").read_text(encoding="utf-8"))
    assert overrides == json.loads((ROOT / "jupyter-settings" / "overrides.json").read_text())

    viewers = lab_defaults(app_settings_dir, DOCMANAGER, tmp_path)["defaultViewers"]
    assert viewers == {"python": jupytext_factory()}, "a lesson .py must open with jupytext"
    news = lab_defaults(app_settings_dir, NOTIFICATION, tmp_path)
    assert news["fetchNews"] == "false" and news["checkForUpdates"] is False
