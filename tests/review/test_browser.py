"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

Filter the list, open an article, correct a label with the keyboard, undo, export.
"""

import os
import shutil
from pathlib import Path

import pytest

from pipeline.stance.data import load_jsonl
from review.app import create_app
from tests.review.builders import S_MEDIATION, SCRIPT
from tests.review.server import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("STANCE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs it and sets STANCE_CHROMIUM)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, run_dir):
    app = create_app(run_dir, reviewer="browser-tester")
    with serve(app) as base_url:
        context = browser.new_context(base_url=base_url, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.app = app
        yield page
        context.close()
        assert dialogs == [], f"a script from the data ran: {dialogs}"


def test_filter_open_correct_undo_export(page, tmp_path):
    expect = playwright_api.expect
    page.goto("/statements")
    expect(page.locator("tr.statement")).to_have_count(6)

    # filter: mediation statements only
    page.select_option("select[name=stance]", "mediation")
    page.click("form.filters button[type=submit]")
    expect(page.locator("tr.statement")).to_have_count(1)
    row = page.locator("tr.statement").first
    expect(row.locator(".badge")).to_have_text("mediation")

    # open its article: the evidence is highlighted, and markup in the text is shown as text
    row.locator("a.open").click()
    page.wait_for_url("**/articles/*")
    text = page.locator(".article-text")
    expect(text).to_contain_text(SCRIPT)
    expect(text).to_contain_text("Qatar <b>offered</b> to host talks")
    expect(page.locator("h1")).to_have_text("Straits talks <b>bold</b> " + SCRIPT)
    assert page.locator(".article-text b, .article-text script, h1 b").count() == 0
    sid = page.url.rsplit("#ev-", 1)[1]
    expect(page.locator(f"#ev-{sid}")).to_contain_text("Qatar")
    expect(page.locator(f"#s-{sid}")).to_have_class("statement status-unreviewed current")

    # correct the label with the keyboard: 2 = refusal
    page.keyboard.press("2")
    expect(page.locator("#flash")).to_have_text("Relabelled: refusal")
    expect(page.locator(f"#s-{sid} .badge")).to_have_text("refusal")
    expect(page.locator(f"#s-{sid} .review .status")).to_have_text("corrected")
    expect(page.locator(f"#ev-{sid}")).to_have_class("ev status-corrected current")

    # undo (u), then relabel to support through the form
    page.keyboard.press("u")
    expect(page.locator("#flash")).to_have_text("Undone; now unreviewed")
    expect(page.locator(f"#s-{sid} .badge")).to_have_text("mediation")
    page.locator(f"#s-{sid} select[name=label]").select_option("support")
    page.locator(f"#s-{sid} form[data-action=relabel] button").click()
    expect(page.locator(f"#s-{sid} .badge")).to_have_text("support")

    # a holder that is not in the sentence is refused with a clear message
    page.locator(f"#s-{sid}").click(position={"x": 5, "y": 5})
    page.keyboard.press("h")
    page.locator(f"#s-{sid} .holder-input").fill("Doha")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("'Doha' do not occur in the evidence sentence")

    # the correction reached the database with the reviewer
    events = page.app.state.review.store.events(sid)
    assert [e.action for e in events] == ["relabel", "undo", "relabel"]
    assert {e.reviewer for e in events} == {"browser-tester"}

    # export: the training file has the correction, and the classifier's loader reads it
    page.goto("/export")
    with page.expect_download() as info:
        page.click("#export-training")
    download = info.value
    assert download.suggested_filename == "training.jsonl"
    path = tmp_path / "training.jsonl"
    download.save_as(path)
    [example] = load_jsonl(path)
    assert (example.text, example.holder, example.label) == (S_MEDIATION, "Qatar", "support")


def test_keyboard_review_of_the_list(page):
    expect = playwright_api.expect
    page.goto("/statements")
    page.keyboard.press("j")
    first = page.locator("tr.statement").first
    expect(first).to_have_class("statement status-unreviewed current")
    page.keyboard.press("a")
    expect(page.locator("#flash")).to_contain_text("Accepted")
    expect(page.locator("tr.statement").first.locator(".review .status")).to_have_text("accepted")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("tr.statement").nth(1).locator(".review .status")).to_have_text("rejected")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("air-defence")
    page.keyboard.press("Enter")
    expect(page.locator("tr.statement")).to_have_count(1)
    # after a reload the state comes from the database
    page.goto("/statements?status=rejected")
    expect(page.locator("tr.statement")).to_have_count(1)
    page.goto("/holders")
    expect(page.locator("svg.bar").first).to_be_visible()
