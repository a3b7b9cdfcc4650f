"""A class experiment in real Chromium (classroom mode, process runner): the teacher asks
a question over a 2 × 2 grid (learning rate × batch size) from the Class page; four
desks, each its own browser context, receive their combination at their next page
change, press Start training, and the Class page shows the answer: four groups (two per
setting), each desk a dot, and which setting mattered most. Screenshots of the Class page
and of a desk's Train page go to tests/e2e/screenshots/ (look at them).
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import choose, shot, streamlit_server, wait_idle
from tests.e2e.test_classroom import CLASS, go, joined, teacher_at, wait_for

pytestmark = pytest.mark.e2e

DESKS = ("ana-cx", "ben-cx", "cat-cx", "dan-cx")
GROUPS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.data && ((p.layout.title || {}).text || '').includes('Test accuracy by'))
    .map(p => ({title: p.layout.title.text.replace(/<[^>]+>/g, ''),
                groups: p.data.filter(t => t.name.startsWith('runs: '))
                              .map(t => ({name: t.name, dots: t.y.length}))}))"""


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, browser_path):
    runs = tmp_path_factory.mktemp("classexp-runs")
    log = tmp_path_factory.mktemp("classexp-log") / "streamlit.log"
    with streamlit_server(runs, log, **CLASS) as running:
        yield running


def records(runs) -> dict[str, dict]:
    """{desk: (its run's experiment record, its status)} of the runs in the folder."""
    found = {}
    for folder in runs.iterdir():
        config, status = folder / "config.json", folder / "status.json"
        if config.is_file() and status.is_file():
            data = json.loads(config.read_text())
            state = json.loads(status.read_text())["status"]
            found[data.get("owner")] = (data.get("experiment"), state)
    return found


def choose_in(page, box: str, option: str) -> None:
    """Pick `option` in the multiselect labelled `box`, then close its list (a
    multiselect's stays open)."""
    wait_idle(page)
    opener = page.locator('[data-testid="stMultiSelect"]', has_text=box).locator("input")
    choose(page, opener, option)
    page.keyboard.press("Escape")
    wait_idle(page)


def test_a_two_by_two_class_experiment_answers_on_the_class_page(classroom, browser):
    url, runs = classroom["url"], classroom["runs"]
    desks = [joined(browser, url, name, "/train") for name in DESKS]
    teacher = teacher_at(browser, url)
    try:
        go(teacher[1], "Train")  # the experiment the desks start from: 2 epochs
        epochs = teacher[1].get_by_label("Epochs")
        epochs.fill("2")
        epochs.press("Enter")
        wait_idle(teacher[1])
        go(teacher[1], "Class")
        teacher[1].get_by_label("Question (optional)").fill("Which matters more here?")
        teacher[1].get_by_label("Question (optional)").press("Enter")
        wait_idle(teacher[1])
        choose_in(teacher[1], "Settings to vary", "learning rate (learning_rate)")
        choose_in(teacher[1], "Settings to vary", "batch size (batch_size)")
        assert (
            teacher[1].get_by_label("Values of learning rate, separated by commas").input_value()
            == "0.001, 0.01"
        )
        assert (
            teacher[1].get_by_label("Values of batch size, separated by commas").input_value()
            == "16, 64"
        )
        teacher[1].get_by_text("2 × 2 values, 1 × each: 4 runs").wait_for()
        teacher[1].get_by_role("button", name="Start class experiment").click()
        teacher[1].get_by_text("Running: Which matters more here?").wait_for()

        for _, page in desks:  # at the next page change each desk gets its combination
            go(page, "Build")
            page.get_by_text("Your teacher's experiment: you try learning rate").wait_for()
            go(page, "Train")
            page.get_by_text("press Start training").first.wait_for()
            assert page.get_by_label("Epochs").input_value() == "2"
            page.get_by_role("button", name="Start training").click()
            wait_idle(page)
        shot(desks[0][1], "class_experiment_desk")

        wait_for(
            lambda: [s for _, s in records(runs).values()] == ["completed"] * 4,
            900,
            "the four desks' trainings",
        )
        given = records(runs)
        combos = {json.dumps(r["settings"], sort_keys=True) for r, _ in given.values()}
        assert sorted(given) == sorted(DESKS) and len(combos) == 4  # each its own combination

        teacher[1].reload()
        wait_idle(teacher[1])
        teacher[1].get_by_text("mattered most").first.wait_for()
        teacher[1].wait_for_function(f"() => ({GROUPS})().length == 2")
        figures = teacher[1].evaluate(GROUPS)
        assert [f["title"] for f in figures] == [
            "Test accuracy by learning rate",
            "Test accuracy by batch size",
        ]
        groups = [g for figure in figures for g in figure["groups"]]
        assert len(groups) == 4 and all(g["dots"] == 2 for g in groups)  # each desk a dot
        assert {g["name"] for g in groups} == {"runs: 0.001", "runs: 0.01", "runs: 16", "runs: 64"}
        assert not teacher[1].locator('[data-testid="stException"]').count()
        shot(teacher[1], "class_experiment_answer")
        # The experiment's form and answer pass axe-core's WCAG 2.1 A/AA rules.
        wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        where = {"include": [[".st-key-class_exp"], [".st-key-class_answer"]]}
        assert teacher[1].locator(".st-key-class_exp, .st-key-class_answer").count() == 2
        found = Axe().run(teacher[1], context=where, options=wcag).response["violations"]
        assert [v["id"] for v in found if v["impact"] in ("critical", "serious")] == []
    finally:
        for context, _ in (*desks, teacher):
            context.close()
