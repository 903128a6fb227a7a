"""Each lesson's .py source and .ipynb twin hold the same cells."""

from pathlib import Path

import pytest

from tools.twins import twin_drift

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_twins_in_sync(source):
    drift = twin_drift(source)
    assert drift is None, drift


def test_every_notebook_has_a_source():
    notebooks = NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
    orphans = [nb.name for nb in notebooks if not nb.with_suffix(".py").exists()]
    assert not orphans, f"notebooks without a .py source: {orphans}; run `make sync`"
