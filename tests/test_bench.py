"""make bench names every missed target, and times make test step by step."""

import json
import os
import subprocess
import sys

import pytest

from tools.bench import TARGETS, missed, parts_table, report, write_wrappers


def results(lab_vs_two_workers=None, parts=None):
    """Bench results where every target is met, optionally with a lab measurement."""
    measured = {
        "machine": {"cores": 2, "processor": "x86_64", "torch": "2.13.0", "omp_num_threads": "1"},
        "repeat": 1,
        "lessons": {
            "kernel_start_s": 0.8,
            "lessons": {"01_softmax": {"nbclient_s": 4.4, "script_s": 4.0, "ratio": 1.1}},
        },
        "nbval": {
            "scripts_s": 40.0,
            "serial_s": 48.0,
            "two_workers_s": 32.0,
            "serial_ratio": 1.2,
            "two_workers_ratio": 0.8,
        },
        "training": {"module": {"helper_s": 1.9, "hand_loop_s": 1.9, "ratio": 1.0}},
        "optim_import": {
            "first_optimizer_s": 1.8,
            "import_torch_s": 2.7,
            "import_torch_and_sgd_s": 4.5,
        },
    }
    if lab_vs_two_workers is not None:
        measured["nbval"].update(
            lab_test_s=32.0 * lab_vs_two_workers,
            lab_vs_serial=32.0 * lab_vs_two_workers / 48.0,
            lab_vs_two_workers=lab_vs_two_workers,
        )
    if parts is not None:
        measured["parts"] = parts
    return measured


def test_lab_test_is_measured_against_one_nbval_run():
    assert TARGETS["lab_vs_nbval_2_workers"].met(1.0)
    assert missed(results()) == []
    assert missed(results(lab_vs_two_workers=0.95)) == []
    assert missed(results(lab_vs_two_workers=1.6)) == ["lab test: 1.60x, target <= 1.00x"]
    table = report(results(lab_vs_two_workers=1.6))
    assert "lab browser test:   51.20 s  vs nbval -n 2 1.60  target <= 1.00x  MISSED" in table
    assert "vs nbval serial 1.07" in table
    assert table.endswith("MISSED: lab test: 1.60x, target <= 1.00x")
    assert "lab browser test" not in report(results())


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.test_lab_browser" name="test_every_lesson_runs" time="30.0"/>
<testcase classname="tests.test_data" name="test_a" time="6.0"/>
<testcase classname="tests.test_data" name="test_b[x]" time="4.0"/>
</testsuite></testsuites>
"""


def make_test_steps(tmp_path, portability_s=12.0):
    """The wrappers' log of a make test run: ruff, slides, unit tests and the nbval steps."""
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)

    def step(command, seconds, report=None):
        return {"command": command, "seconds": seconds, "junit": report}

    return [
        step(["ruff", "check", "."], 0.5),
        step(["python", "-m", "tools.export", "slides", "notebooks/01_softmax.ipynb"], 4.0),
        step(["pytest", "-n", "2", "--dist", "loadfile", "tests"], 20.0, report=str(junit)),
        step(["pytest", "--nbval", "-n", "2", "notebooks/01_softmax.ipynb"], 10.0),
        step(["python", "-m", "tools.arithmetic_paths", "-q", "notebooks/01_softmax.ipynb"],
             portability_s),  # fmt: skip
    ]


def test_make_test_is_listed_step_by_step_as_multiples_of_its_nbval_step(tmp_path):
    parts = parts_table(make_test_steps(tmp_path), total_s=50.0)
    assert parts["nbval_s"] == 10.0 and parts["total_ratio"] == 5.0
    assert [(s["part"], s["ratio"]) for s in parts["steps"]] == [
        ("ruff check .", 0.05),
        ("slides export", 0.4),
        ("unit tests: pytest -n 2 --dist loadfile tests", 2.0),
        ("nbval native", 1.0),
        ("nbval on the other arithmetic paths (tools.arithmetic_paths)", 1.2),
    ]
    # Each file's share of the unit step's 20 s wall time, by its 30 s of 40 worker-seconds.
    assert [(f["file"], f["share_s"]) for f in parts["unit_files"]] == [
        ("tests/test_lab_browser.py", 15.0),
        ("tests/test_data.py", 5.0),
    ]
    assert abs(parts["other_s"] - 3.5) < 1e-9
    table = report(results(parts=parts))
    assert "  tests/test_lab_browser.py" in table
    assert "make test" in table and "5.00  target <= 8.00x  ok" in table
    assert table.endswith("all targets met")


def test_make_test_above_8_nbval_steps_is_a_miss(tmp_path):
    parts = parts_table(make_test_steps(tmp_path), total_s=95.0)
    assert missed(results(parts=parts)) == ["make test: 9.50x, target <= 8.00x"]


def test_a_failed_step_is_timed_and_named(tmp_path):
    steps = make_test_steps(tmp_path)
    steps[0]["returncode"] = 1
    parts = parts_table(steps, total_s=50.0)
    assert missed(results(parts=parts)) == ["make test step failed: ruff check ."]
    [line] = [line for line in report(results(parts=parts)).splitlines() if line.startswith("ruff")]
    assert line.endswith("0.05  FAILED")


@pytest.mark.skipif(os.name != "posix", reason="the wrappers are #! scripts, as make runs them")
def test_a_wrapper_times_a_command_and_exits_as_it_did(tmp_path):
    commands = tmp_path / "real"
    commands.mkdir()
    failing = commands / "fails"
    failing.write_text(f"#!{sys.executable}\nimport sys\nprint(sys.argv[1:])\nsys.exit(3)\n")
    failing.chmod(0o755)
    log = tmp_path / "steps.jsonl"
    write_wrappers(tmp_path / "bin", log, commands)
    result = subprocess.run(
        [tmp_path / "bin" / "fails", "one", "two"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 3 and result.stdout == "['one', 'two']\n"
    [entry] = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["command"] == ["fails", "one", "two"]
    assert entry["returncode"] == 3 and entry["seconds"] > 0
