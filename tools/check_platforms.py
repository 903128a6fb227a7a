"""Check on the package registry that the pinned set installs on every supported machine.

For each supported (Python, platform) pair, ``uv pip compile`` resolves
``pyproject.toml`` with its ``dev`` extra from wheels only, reading the
registry's metadata and downloading no wheel. Prints a Markdown table, ``ok``
or the pin that has no wheel there, and exits 1 unless every pair is ok.

Why uv and not ``pip install --dry-run --report --python-version --platform``:
pip applies ``--python-version`` and ``--platform`` to wheel tags only and
evaluates environment markers against the Python running pip (pypa/pip#11010),
so a dry-run "for Windows" from Linux would ask for Linux-only dependencies
(torch's CUDA libraries) and skip Windows-only ones (pywinpty). uv evaluates the
markers for the target Python and platform. It also reads no pip configuration,
so a machine's local wheel folders or constraint files (such as a torch cap in
``/etc/xdg/pip``) cannot change the answer: it is the public registry's.

Run from the repository root: ``python -m tools.check_platforms`` (``make check-platforms``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools import ROOT

#: The uv installed beside this Python (the ``dev`` extra pins it).
UV = (sys.executable, "-m", "uv")
#: The Pythons the course supports; CONTRIBUTING's table and CI's matrix follow this list.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
#: The oldest macOS that torch 2.13.0 publishes arm64 wheels for (macosx_14_0_arm64).
MACOS_VERSION = "14.0"
#: Column title -> uv's ``--python-platform`` target.
PLATFORMS = {
    "Linux x86_64": "x86_64-manylinux_2_28",
    "Linux aarch64": "aarch64-manylinux_2_28",
    f"macOS {MACOS_VERSION}+ arm64": "aarch64-apple-darwin",
    "Windows amd64": "x86_64-pc-windows-msvc",
}
MISSING_WHEEL = re.compile(r"Because (?P<pin>[A-Za-z0-9_.\-]+==\S+) has no (?:usable )?wheels")


def resolve(python: str, platform: str, pyproject: Path = ROOT / "pyproject.toml") -> str:
    """Resolve the pinned set for one pair from wheels only: ``ok`` or what stopped it."""
    command = [
        *UV, "pip", "compile", str(pyproject), "--extra", "dev",
        "--python-version", python, "--python-platform", platform,
        "--only-binary", ":all:", "--no-python-downloads", "--no-header", "--quiet",
        "--output-file", os.devnull,
    ]  # fmt: skip
    env = {**os.environ, "MACOSX_DEPLOYMENT_TARGET": MACOS_VERSION}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return "ok" if result.returncode == 0 else explain_failure(result.stderr)


def explain_failure(stderr: str) -> str:
    """The pin without a wheel, from uv's message; else the message's first error line."""
    match = MISSING_WHEEL.search(stderr)
    if match:
        return f"no wheel: {match['pin']}"
    errors = [line.strip() for line in stderr.splitlines() if line.strip()]
    return next((line for line in errors if line.startswith("error")), errors[0] if errors else "")


def markdown_table(results: dict[tuple[str, str], str]) -> str:
    """Python down the side, platforms across, one cell per resolved pair."""
    lines = [
        "| Python | " + " | ".join(PLATFORMS) + " |",
        "|---|" + "---|" * len(PLATFORMS),
    ]
    for python in SUPPORTED_PYTHONS:
        cells = (results[python, column] for column in PLATFORMS)
        lines.append(f"| {python} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    pairs = [(python, column) for python in SUPPORTED_PYTHONS for column in PLATFORMS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = pool.map(lambda pair: resolve(pair[0], PLATFORMS[pair[1]]), pairs)
        results = dict(zip(pairs, answers, strict=True))
    print(f"Resolved on {datetime.date.today().isoformat()} with {_uv_version()}:\n")
    print(markdown_table(results))
    return 0 if all(answer == "ok" for answer in results.values()) else 1


def _uv_version() -> str:
    return subprocess.run(
        [*UV, "--version"], capture_output=True, text=True, check=True
    ).stdout.split(" (")[0]


if __name__ == "__main__":
    sys.exit(main())
