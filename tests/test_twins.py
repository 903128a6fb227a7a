"""Each lesson's .py source and .ipynb twin hold the same cells."""

from pathlib import Path

import jupytext
import pytest
from jupytext.config import load_jupytext_config

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def twin_drift(source: Path) -> str | None:
    """Describe how ``source`` and its ``.ipynb`` disagree, or return None when in sync."""
    twin = source.with_suffix(".ipynb")
    if not twin.exists():
        return f"{twin.name} is missing"
    config = load_jupytext_config(str(twin))
    expected = jupytext.writes(jupytext.read(twin), "py:percent", config=config)
    if expected != source.read_text():
        return f"{source.name} and {twin.name} differ"
    return None


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_twins_in_sync(source):
    drift = twin_drift(source)
    assert drift is None, f"notebooks/{drift}: edit the .py, then run `make sync execute`"


def test_every_notebook_has_a_source():
    notebooks = NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
    orphans = [nb.name for nb in notebooks if not nb.with_suffix(".py").exists()]
    assert not orphans, f"notebooks without a .py source: {orphans}"
