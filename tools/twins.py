"""The twin check: each lesson's ``.py`` source and ``.ipynb`` twin hold the same cells.

    python -m tools.twins notebooks/*.py
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import jupytext
from jupytext.config import load_jupytext_config


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.twins", description="Check that each lesson's twins agree."
    )
    parser.add_argument("sources", nargs="+", type=Path)
    args = parser.parse_args(argv)
    drifts = [drift for source in args.sources if (drift := twin_drift(source))]
    if drifts:
        raise SystemExit("\n".join(drifts))
    print(f"{len(args.sources)} lessons in sync with their twins")


if __name__ == "__main__":
    main()
