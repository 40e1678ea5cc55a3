"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

Filter the list, open an article, correct a label with the keyboard, undo, export; and, on a
larger run at 1400x1000, screenshots of every page and checks of the layout: the article and
its statements side by side, at least 15 list rows on screen, stance colours, no CSP breach.
"""

import os
import shutil
from pathlib import Path

import pytest

from pipeline.stance.data import load_jsonl
from review.app import create_app
from tests.review.builders import CONTACT_EMAIL, S_MEDIATION, SCRIPT
from tests.review.conftest import SCREENSHOTS_KEY
from tests.review.server import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("STANCE_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1400, "height": 1000}
MIN_ROWS_ON_SCREEN = 15
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
    # the highlight takes the new stance's colour and the new review status
    expect(page.locator(f"#ev-{sid}")).to_have_class("ev status-corrected hl-refusal current")

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


@pytest.fixture(scope="session")
def screenshot_dir(request, tmp_path_factory) -> Path:
    """Where the screenshots go: $STANCE_SCREENSHOTS, else a folder under pytest's basetemp."""
    chosen = os.environ.get("STANCE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("review-screenshots", numbered=False)
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[SCREENSHOTS_KEY] = folder
    print(f"\nreview app screenshots: {folder}")
    return folder


@pytest.fixture
def big_page(browser, big_run_dir):
    """A 1400x1000 page over the larger run; fails the test if the CSP blocked anything."""
    app = create_app(big_run_dir, reviewer="browser-tester")
    with serve(app) as base_url:
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.app = app
        yield page
        context.close()
        blocked = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
        assert blocked == [], blocked


def _fully_on_screen(page, selector: str) -> int:
    height = page.viewport_size["height"]
    boxes = [row.bounding_box() for row in page.locator(selector).all()]
    return sum(1 for b in boxes if b and b["height"] > 0 and b["y"] >= 0 and b["y"] + b["height"] <= height)


def _background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor")


def test_pages_at_1400_by_1000_with_screenshots(big_page, screenshot_dir, record_property):
    page, expect = big_page, playwright_api.expect
    record_property("screenshots", str(screenshot_dir))

    # the list: compact rows, at least 15 of them wholly on screen without scrolling
    page.goto("/statements")
    expect(page.locator("tr.statement")).to_have_count(38)
    page.screenshot(path=screenshot_dir / "statements.png")
    on_screen = _fully_on_screen(page, "tr.statement")
    assert on_screen >= MIN_ROWS_ON_SCREEN, f"{on_screen} rows on screen"
    cue = page.locator("tr.statement .w-cue").first
    assert "underline" in cue.evaluate("e => getComputedStyle(e).textDecorationLine")

    # an article: its text and its statements side by side
    article_id = next(iter(page.app.state.review.run.articles))
    page.goto(f"/articles/{article_id}")
    page.screenshot(path=screenshot_dir / "article.png")
    text = page.locator(".article-col").bounding_box()
    table = page.locator(".statements-col").bounding_box()
    assert text["width"] > 400 and table["width"] > 400, (text, table)
    assert table["x"] >= text["x"] + text["width"] - 1, "the statements are not to the right of the article"
    assert table["y"] < text["y"] + text["height"] and text["y"] < table["y"] + table["height"]
    assert table["y"] < VIEWPORT["height"] / 2, "the statements column does not start on the first screen"
    assert _fully_on_screen(page, ".statements-col tr.statement") >= 5
    # highlights coloured by stance, each colour its own; the cue, the target, the holder marked
    colours = {label: _background(page, f".article-text mark.hl-{label}") for label in ("support", "refusal")}
    colours["mediation"] = _background(page, ".article-text mark.hl-mediation")
    colours["opposition"] = _background(page, ".article-text mark.hl-opposition")
    colours["neutral"] = _background(page, ".article-text mark.hl-neutral")
    assert len(set(colours.values())) == 5, colours
    target = page.locator(".article-text mark .w-target").first
    assert target.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    holder = page.locator(".article-text mark .w-holder").first
    assert int(holder.evaluate("e => getComputedStyle(e).fontWeight")) >= 700
    expect(page.locator(".legend-list")).to_be_visible()
    expect(page.locator(".article-text")).not_to_contain_text(CONTACT_EMAIL)
    # a click on a highlight selects its row in the column beside it
    page.locator(".article-text mark.hl-support").first.click()
    current = page.locator(".statements-col tr.statement.current")
    expect(current).to_have_count(1)
    expect(current).to_be_in_viewport()

    # the holders: persons rolled up, a timeline per week drawn in SVG
    page.goto("/holders")
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    assert page.locator("svg.timeline-chart g.week").count() == 5
    assert page.locator("svg.timeline-chart rect.st-refusal").count() >= 3
    expect(page.locator("table.holders-table")).to_contain_text("incl. Sergei Lavrov 4")
    page.screenshot(path=screenshot_dir / "holders.png", full_page=True)
    page.fill("input[name=from]", "2026-01-10")
    page.fill("input[name=to]", "2026-01-31")
    page.click("form.holder-filters button[type=submit]")
    page.wait_for_url("**/holders?*from=2026-01-10*")
    assert page.locator("svg.timeline-chart g.week").count() == 1
    page.screenshot(path=screenshot_dir / "holders-dated.png", full_page=True)

    page.goto("/export")
    expect(page.locator("#export-training")).to_be_visible()
    page.screenshot(path=screenshot_dir / "export.png", full_page=True)

    shots = sorted(p.name for p in screenshot_dir.glob("*.png"))
    assert {"statements.png", "article.png", "holders.png", "export.png"} <= set(shots)
    assert all((screenshot_dir / name).stat().st_size > 10_000 for name in shots)
