"""make bench: each step of make test against its nbval step; a miss is shown, a failure fails."""

import json
import os
from pathlib import Path

import pytest

from tools import bench

pytestmark = pytest.mark.skipif(os.name != "posix", reason="make's steps are bash lines")

#: A stand-in for pytest: writes the JUnit report it is asked for, then exits with $FAKE_EXIT.
FAKE_PYTEST = """#!/bin/sh
cases='<testcase classname="tests.test_slow" name="a" time="3.0"/>
<testcase classname="tests.test_slow" name="b[x]" time="3.0"/>
<testcase classname="tests.test_fast" name="c" time="2.0"/>'
for arg; do case $arg in
  --junitxml=*) report=${arg#--junitxml=};;
  --nbval) cases='<testcase classname="notebooks.01_a" name="Cell 0" time="1.0"/>';;
esac; done
printf '<testsuites><testsuite name="pytest">%s</testsuite></testsuites>' "$cases" > "$report"
sleep "${FAKE_SECONDS:-0}"
exit "${FAKE_EXIT:-0}"
"""


@pytest.fixture
def fake_make_test(tmp_path, monkeypatch):
    """make test as four lines: a quick step, unit tests, nbval (the unit of ratios), a check."""
    fake = tmp_path / "bin" / "pytest"
    fake.parent.mkdir()
    fake.write_text(FAKE_PYTEST)
    fake.chmod(0o755)
    monkeypatch.setattr(bench, "BUILD", tmp_path / "reports")

    def steps(unit_exit=0):
        lines = [
            "true",
            f"PYTHONPATH=/x FAKE_SECONDS=0.4 FAKE_EXIT={unit_exit} {fake} -n 2 tests",
            f"FAKE_SECONDS=0.2 {fake} --nbval notebooks/01_a.ipynb",
            "[ -s /nonexistent ] && exit 1 || true",
        ]
        monkeypatch.setattr(bench, "make_test_steps", lambda: lines)

    return steps


def test_each_step_is_timed_against_the_nbval_step_and_its_files_share_its_time(fake_make_test):
    fake_make_test()
    rows, failed = bench.part_rows([Path("notebooks/01_a.ipynb")])
    assert failed == []
    by_name = {row["name"]: row for row in rows}
    [nbval] = [row for row in rows if row["name"].startswith("step:") and "--nbval" in row["name"]]
    assert nbval["ratio"] == 1.0 and nbval["seconds"] >= 0.2
    # The lesson's path is left out of the step's name, the environment assignments too.
    assert nbval["name"].endswith("pytest --nbval")
    unit = next(row for row in rows if row["name"].endswith("pytest -n 2 tests"))
    assert 0.4 / 0.2 * 0.5 < unit["ratio"] < 0.4 / 0.2 * 2
    # A file's share of its step's wall time follows its worker seconds: 6 and 2 of 8.
    slow, fast = by_name["  tests/test_slow.py"], by_name["  tests/test_fast.py"]
    assert rows.index(slow) == rows.index(unit) + 1 and rows.index(fast) == rows.index(unit) + 2
    assert slow["seconds"] == pytest.approx(3 * fast["seconds"])
    assert slow["seconds"] + fast["seconds"] == pytest.approx(unit["seconds"])
    total = by_name["make test / its nbval step"]
    steps = [row for row in rows if row["name"].startswith("step:")]
    assert len(steps) == 4 and total["seconds"] == pytest.approx(sum(r["seconds"] for r in steps))
    assert total["status"] == ("ok" if total["ratio"] <= 12 else "MISSED")


def test_a_failed_step_is_timed_named_and_fails_the_bench(fake_make_test, tmp_path, monkeypatch):
    fake_make_test(unit_exit=3)
    rows, failed = bench.part_rows([Path("notebooks/01_a.ipynb")])
    assert len(failed) == 1 and failed[0].endswith("pytest -n 2 tests")
    assert [row["status"] for row in rows if row["name"] == f"step: {failed[0]}"] == ["FAILED"]
    out = tmp_path / "bench.json"
    with pytest.raises(SystemExit, match="failed steps of make test: .*pytest -n 2 tests"):
        bench.main(["--parts-only", "--out", str(out), "notebooks/01_a.ipynb"])
    assert json.loads(out.read_text())["failed"] == failed


def test_a_missed_target_prints_missed_and_the_bench_still_succeeds(capsys, tmp_path, monkeypatch):
    rows = [
        bench.row("step: pytest --nbval", 10.0, 10.0),
        bench.row("make test / its nbval step", 130.0, 10.0),
    ]
    monkeypatch.setattr(bench, "part_rows", lambda notebooks: (rows, []))
    out = tmp_path / "bench.json"
    bench.main(["--parts-only", "--out", str(out), "notebooks/01_a.ipynb"])  # no SystemExit
    printed = capsys.readouterr().out
    assert "make test / its nbval step" in printed and "13.00  <= 12x MISSED" in printed
    assert json.loads(out.read_text())["rows"][1]["status"] == "MISSED"


@pytest.mark.parametrize(
    ("name", "ratio", "status"),
    [
        ("make test / its nbval step", 12.0, "ok"),
        ("make test / its nbval step", 12.01, "MISSED"),
        ("nbval on 2 workers / lessons as scripts", 0.99, "ok"),
        ("nbval on 2 workers / lessons as scripts", 1.0, "MISSED"),  # strictly below
        ("nbval serial / lessons as scripts", 1.3, "ok"),
        ("  tests/test_slow.py", 50.0, ""),  # no target: information
    ],
)
def test_targets(name, ratio, status):
    assert bench.row(name, ratio, 1.0)["status"] == status


def test_the_bench_reads_make_tests_steps_from_the_makefile():
    """The step names come from make's own recipe: ruff, the unit tests, nbval, the other paths."""
    makefile = (bench.ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "--nbval" in recipe and "bin/pytest" in recipe.replace("$(BIN)", "bin")
    line = "PYTHONPATH=/r/tests/offline LOG=/r/x .venv/bin/pytest --nbval -n 2 notebooks/01_a.ipynb"
    assert bench.step_name(line, [Path("notebooks/01_a.ipynb")]) == "pytest --nbval -n 2"
