"""The lab, as a student uses it: JupyterLab in headless Chromium, every lesson run from the menu.

The test starts JupyterLab the way ``make lab`` does (the student notebooks as its
root: the student notebooks, on 127.0.0.1, with a token; the harness is in
``lab_harness.py``), checks that the server refuses its API without the
token. Its kernel is a Colab-like environment (``colab_env.py``): the
release's Colab cell installed the helpers there and kept its torch, which is
not the pin (a test checks both), so every lesson also runs on Colab's torch.
Then, in one browser page, it double-clicks each student notebook in the
file browser and starts Run All Cells (all lessons first, so that their
kernels run side by side as nbval's workers do), then asserts:

- it opened as a notebook, not in the text editor;
- "Run All Cells" from the Run menu ran every code cell (each has its
  execution count) and left the kernel idle;
- no cell shows an error or a traceback, except cells tagged ``raises-exception``;
- every check cell says its exercise is not written yet (or asks for the
  prediction first), without a traceback and without ✓;
- every figure of the stored notebook is rendered (an ``img`` with pixels).

Then, as a student would, it types a wrong ``my_softmax`` into the softmax
lesson's stub and runs it and its check cell: the check prints a hint, not ✓.

Then it opens one lesson as the RISE slideshow and asserts that reveal.js shows
the first slide. Both RISE commands of the notebook save it first, so the test
opens the page they open (``/rise/<lesson>``) directly: the test saves nothing.

Nothing leaves the machine: the browser records every request and may reach
only the server, Chromium's flags send anything else nowhere, and the server
and its kernels run behind the tests' network guard. Saving is blocked and
recorded (autosave is off in the test's user settings), and every file under
``build/student/`` must be byte-identical afterwards. A screenshot per lesson goes
to ``build/screenshots/lab-NN_topic.png``.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from colab_env import COLAB_TORCH, NEEDS_MAKE
from lab_harness import (
    FIND_WIDGET,
    PAGE_TIMEOUT,
    POLL_MS,
    READ_NOTEBOOK,
    RUN_ALL_DONE,
    RUN_ALL_TIMEOUT,
    STUDENT_NOTEBOOKS,
    Lab,
    check_nothing_leaked,
    http_status,
    open_and_run_all,
)

from conftest import tags
from tools.release import pins

#: The harness's fixtures: ``lab`` (the server) and ``lab_page`` (JupyterLab in the browser).
pytest_plugins = ["lab_harness"]


def test_server_refuses_the_api_without_the_token(lab):
    assert http_status(lab.url + "api/contents") in (401, 403)
    assert http_status(lab.url + "api/contents", "not-the-token") in (401, 403)
    assert http_status(lab.url + "api/contents", lab.token) == 200


@NEEDS_MAKE
def test_the_colab_cell_installs_the_helpers_and_keeps_colabs_torch(lab):
    colab = lab.colab
    pinned = pins()["torch"]
    assert colab.torch_before.startswith(COLAB_TORCH), colab.torch_before
    assert not colab.torch_before.startswith(pinned + "+"), (colab.torch_before, pinned)
    assert not colab.course_before, "the fresh environment must not have the course yet"
    assert colab.torch_after == colab.torch_before, (
        f"installing the helpers replaced Colab's torch: {colab.torch_before} -> "
        f"{colab.torch_after}"
    )
    assert colab.course_at.is_relative_to(colab.python.parent.parent), colab.course_at
    specs = lab.api("kernelspecs")
    assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == str(colab.python), specs


def test_every_lesson_runs_in_the_lab(lab, lab_page, screenshots):
    # One test for all lessons: they are all opened and started first, so their
    # kernels run side by side (as nbval's two workers do), then checked in turn.
    started = {
        lesson.name: open_and_run_all(lab, lab_page, lesson, screenshots)
        for lesson in STUDENT_NOTEBOOKS
    }
    failures = []
    for lesson in STUDENT_NOTEBOOKS:
        try:
            check_lesson(lab, lab_page, started[lesson.name], screenshots, lesson)
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)


def check_lesson(lab: Lab, page, started: dict | str, screenshots: Path, lesson: Path) -> None:
    """Wait for ``lesson``'s Run All to finish, then check what the lab shows."""
    stored = nbformat.read(lesson, as_version=4)
    code_cells = [cell for cell in stored.cells if cell.cell_type == "code"]
    may_raise = {index for index, cell in enumerate(code_cells) if "raises-exception" in tags(cell)}
    figures = [
        sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        for cell in code_cells
    ]

    if isinstance(started, str):
        pytest.fail(started, pytrace=False)
    widget = started
    assert widget["notebook"] and not widget["editor"], (
        f"{lesson.name} opened in the text editor, not as a notebook"
    )
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text=lesson.name).click()
    check_began = time.perf_counter()
    try:
        page.wait_for_function(
            RUN_ALL_DONE, arg=widget["id"], polling=POLL_MS, timeout=RUN_ALL_TIMEOUT * 1000
        )
    except Exception:
        page.screenshot(path=str(screenshots / f"lab-{lesson.stem}.png"))
        shown = page.evaluate(READ_NOTEBOOK, widget["id"])
        pytest.fail(
            f"{lesson.name}: Run All Cells did not finish within {RUN_ALL_TIMEOUT} s; prompts "
            f"{[cell['prompt'] for cell in shown['cells']]}, kernel {shown['kernel']}; "
            f"server log:\n{lab.server_log_tail()}",
            pytrace=False,
        )
    waited = time.perf_counter() - check_began
    # Solution cells open collapsed; show every cell's code to read its prompt.
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="View").first.click()
    page.locator('.lm-Menu-item[data-command="notebook:show-all-cell-code"]').click()
    shown = page.evaluate(READ_NOTEBOOK, widget["id"])
    page.screenshot(path=str(screenshots / f"lab-{lesson.stem}.png"))

    cells = shown["cells"]
    assert len(cells) == len(code_cells), (
        f"{lesson.name}: the lab shows {len(cells)} code cells, the source has {len(code_cells)}"
    )
    not_run = [
        f"cell {index} ({code_cells[index].source.splitlines()[0]!r}): {cell['prompt']}"
        for index, cell in enumerate(cells)
        if not cell["prompt"].strip("[]:").isdigit()
    ]
    assert not not_run, f"{lesson.name}: cells that did not run after Run All Cells: {not_run}"
    assert shown["kernel"] == "idle", f"{lesson.name}: kernel is {shown['kernel']} after the run"
    errors = [
        f"cell {index} ({code_cells[index].source.splitlines()[0]!r}): {cell['errors']}"
        for index, cell in enumerate(cells)
        if cell["errors"] and index not in may_raise
    ]
    assert not errors, f"{lesson.name}: cells that show an error: {errors}"
    unsolved = [
        f"cell {index} ({code_cells[index].source.splitlines()[0]!r}): {cell['text']!r}"
        for index, cell in enumerate(cells)
        if "check" in tags(code_cells[index])
        and not (cell["text"].strip() and "✓" not in cell["text"] and all(
            "not written yet" in line or "write your prediction first" in line
            for line in cell["text"].strip().splitlines()
        ))
    ]  # fmt: skip
    assert not unsolved, f"{lesson.name}: checks that do not say they are unsolved: {unsolved}"
    rendered = [sum(cell["images"]) for cell in cells]
    assert rendered == figures, (
        f"{lesson.name}: figures per code cell rendered in the lab {rendered}, "
        f"stored in {lesson.name} {figures}"
    )
    print(f"{lesson.name}: Run All finished {waited:.1f} s after its check began")
    check_nothing_leaked(lab)


def test_a_lesson_opens_as_the_rise_slideshow(lab, lab_page, screenshots):
    lesson = STUDENT_NOTEBOOKS[0]
    title = nbformat.read(lesson, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
    page = lab_page.context.new_page()
    try:
        page.goto(f"{lab.url}rise/{lesson.name}?activeCellIndex=0")
        page.wait_for_selector(".reveal.ready .slides > section.present")
        first = page.evaluate(
            """() => {
                const slides = [...document.querySelectorAll('.reveal .slides > section')];
                const present = document.querySelector('.reveal .slides > section.present');
                return {index: slides.indexOf(present), count: slides.length,
                        heading: present.querySelector('h1')?.textContent ?? ''};
            }"""
        )
        page.screenshot(path=str(screenshots / f"rise-{lesson.stem}.png"))
    finally:
        page.close()
    assert first["index"] == 0 and first["count"] > 1, first
    assert first["heading"].replace("¶", "").strip() == title, (first["heading"], title)
    check_nothing_leaked(lab)


#: Type into the code cell ``index`` (among code cells) of the notebook panel ``id``.
FOCUS_CODE_CELL = """([id, index]) => {
    const cell = document.getElementById(id).querySelectorAll('.jp-CodeCell')[index];
    cell.scrollIntoView();
    return cell.querySelector('.cm-content') !== null;
}"""
#: The text of the outputs of code cell ``index`` and its prompt.
READ_CODE_CELL = """([id, index]) => {
    const cell = document.getElementById(id).querySelectorAll('.jp-CodeCell')[index];
    return {prompt: cell.querySelector('.jp-InputPrompt').textContent.trim(),
            output: [...cell.querySelectorAll('.jp-OutputArea-output')]
                .map((o) => o.textContent).join('')};
}"""


def test_a_wrong_answer_typed_in_the_lab_gets_a_hint(lab, lab_page, screenshots):
    """A student writes a wrong my_softmax in the softmax lesson and runs its check."""
    lesson = STUDENT_NOTEBOOKS[0]
    code = [c for c in nbformat.read(lesson, as_version=4).cells if c.cell_type == "code"]
    stub = next(i for i, c in enumerate(code) if "def my_softmax(" in c.source)
    check = next(i for i, c in enumerate(code) if "check_softmax(my_softmax)" in c.source)
    assert check == stub + 1, "the check cell follows the stub in the student notebook"
    page = lab_page
    if page.evaluate(FIND_WIDGET, lesson.name) is None:
        started = open_and_run_all(lab, page, lesson, screenshots)
        assert isinstance(started, dict), started
    widget = page.evaluate(FIND_WIDGET, lesson.name)
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text=lesson.name).click()
    page.wait_for_function(
        RUN_ALL_DONE, arg=widget["id"], polling=POLL_MS, timeout=RUN_ALL_TIMEOUT * 1000
    )
    assert page.evaluate(FOCUS_CODE_CELL, [widget["id"], stub])
    editor = page.locator(f"#{widget['id']} .jp-CodeCell >> nth={stub}").locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("def my_softmax(z): return torch.exp(z) / torch.exp(z).sum()")
    before = page.evaluate(READ_CODE_CELL, [widget["id"], check])["prompt"]
    page.keyboard.press("Shift+Enter")  # runs the stub cell, selects the check cell
    page.keyboard.press("Shift+Enter")  # runs the check
    deadline = time.monotonic() + PAGE_TIMEOUT
    shown = page.evaluate(READ_CODE_CELL, [widget["id"], check])
    while shown["prompt"] in (before, "[*]:") or "*" in shown["prompt"] or not shown["output"]:
        assert time.monotonic() < deadline, f"the check cell did not run again: {shown}"
        time.sleep(POLL_MS / 1000)
        shown = page.evaluate(READ_CODE_CELL, [widget["id"], check])
    page.screenshot(path=str(screenshots / f"lab-{lesson.stem}-wrong-answer.png"))
    assert "Hint:" in shown["output"] and "✓" not in shown["output"], shown
    assert "check_softmax, case" in shown["output"], shown
    check_nothing_leaked(lab)

