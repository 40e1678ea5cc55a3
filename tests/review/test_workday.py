"""Issue 19 section 4 through HTTP: stance-coloured highlights with cue and target marked, masked
contact details, the roll-up of persons to their affiliation, the date filter and the timeline."""

import html
import re

import pytest

from tests.review.builders import (
    BIG_SENTENCES,
    BIO,
    CONTACT_EMAIL,
    CONTACT_PHONE,
    MIXED_SENTENCE,
    PRESS,
)
from tests.review.conftest import FETCH_HEADERS, csrf_of, fuzz_query_parameters, statement_ids, without_tags

OSLO = BIG_SENTENCES[3][0]  # "Oslo pledged two air-defence batteries to Kyiv."
ANKARA = BIG_SENTENCES[0][0]


def first_article(app):
    return next(iter(app.state.review.run.articles.values()))


def sid_where(app, article_id: str, holder: str) -> str:
    return next(
        s.statement_id
        for s in app.state.review.run.statements.values()
        if s.article_id == article_id and s.holder.name == holder
    )


def article_text_div(page: str) -> str:
    """The inner HTML of the article's text block."""
    return re.search(r'<div class="article-text">(.*?)</div>', page, re.DOTALL).group(1)


def mark_of(page: str, sid: str) -> tuple[str, str]:
    """(class attribute, inner HTML) of the highlight that starts statement ``sid``'s evidence."""
    match = re.search(
        rf'<mark class="([^"]+)" data-sids="[^"]*" id="ev-{sid}" tabindex="0">(.*?)</mark>', page
    )
    assert match, sid
    return match.group(1), match.group(2)


def test_highlights_are_coloured_by_stance_and_mark_holder_cue_and_target(big_client, big_app):
    article = first_article(big_app)
    page = big_client.get(f"/articles/{article.article_id}").text
    norway = sid_where(big_app, article.article_id, "Norway")
    classes, inner = mark_of(page, norway)
    assert classes.split() == ["ev", "status-unreviewed", "hl-support"]
    assert inner == (
        '<span class="w-holder">Oslo</span> <span class="w-cue">pledged</span> two air-defence '
        'batteries to <span class="w-target">Kyiv</span>.'
    )
    assert mark_of(page, sid_where(big_app, article.article_id, "Türkiye"))[0].split()[2] == "hl-refusal"
    assert mark_of(page, sid_where(big_app, article.article_id, "China"))[0].split()[2] == "hl-mediation"
    # two statements with different stances on one sentence
    mixed = re.search(r'<mark class="([^"]+)" data-sids="([0-9a-f]{16}) ([0-9a-f]{16})"', page)
    assert mixed and "hl-mixed" in mixed.group(1).split()
    # a legend names every colour and every mark
    legend = re.search(r'<ul class="legend-list" aria-label="legend">(.*?)</ul>', page, re.DOTALL).group(1)
    for label in ("support", "refusal", "mediation", "opposition", "neutral", "mixed"):
        assert f'<span class="swatch hl-{label}">{label}</span>' in legend
    for role in ("w-holder", "w-cue", "w-target", "masked"):
        assert f'class="{role}"' in legend

    # relabelled, the highlight takes the new stance's colour; rejected, it loses its marks
    csrf = csrf_of(big_client)
    answer = big_client.post(
        f"/statements/{norway}/relabel", data={"label": "opposition", "csrf": csrf}, headers=FETCH_HEADERS
    ).json()
    assert answer["stance"] == "opposition" and 'data-stance="opposition"' in answer["row"]
    page = big_client.get(f"/articles/{article.article_id}").text
    assert mark_of(page, norway)[0].split() == ["ev", "status-corrected", "hl-opposition"]
    big_client.post(f"/statements/{norway}/reject", data={"csrf": csrf})
    page = big_client.get(f"/articles/{article.article_id}").text
    assert mark_of(page, norway)[1] == html.escape(OSLO, quote=False)


def test_list_rows_mark_the_same_words_in_the_evidence(big_client, big_app):
    article = first_article(big_app)
    sid = sid_where(big_app, article.article_id, "Sergei Lavrov")
    page = big_client.get("/statements").text
    row = re.search(rf'<tr id="s-{sid}".*?</tr>', page, re.DOTALL).group(0)
    assert 'class="clamp text stance-refusal"' in row
    assert (
        'Foreign Minister <span class="w-holder">Sergei Lavrov</span> said Moscow '
        '<span class="w-cue">would not defend</span> <span class="w-target">Iran</span> if it was attacked.'
    ) in row
    assert '<span class="affiliation" title="speaks for">for Russia</span>' in row


def test_contact_details_in_furniture_are_masked_and_offsets_do_not_move(big_client, big_app):
    article = first_article(big_app)
    page = big_client.get(f"/articles/{article.article_id}").text
    for secret in (CONTACT_EMAIL, CONTACT_PHONE, "press@example.net", "7946"):
        assert secret not in page, secret
    shown = html.unescape(without_tags(article_text_div(page)))
    # same length, same text everywhere but at the masked characters
    assert len(shown) == len(article.text)
    changed = [i for i, (a, b) in enumerate(zip(shown, article.text, strict=True)) if a != b]
    email_at = article.text.index(CONTACT_EMAIL)
    phone_at = article.text.index(CONTACT_PHONE)
    press_at = article.text.index("press@example.net")
    expected = set(range(email_at, email_at + len(CONTACT_EMAIL)))
    expected |= {phone_at + i for i, ch in enumerate(CONTACT_PHONE) if not ch.isspace()}
    expected |= set(range(press_at, press_at + len("press@example.net")))
    assert set(changed) == expected
    assert {shown[i] for i in changed} == {"•"}
    # every evidence span still lines up with its statement
    for statement in big_app.state.review.run.statements_of(article.article_id):
        assert shown[statement.char_start : statement.char_end] == statement.text
    assert BIO.split(";")[0] in shown and PRESS.split(":")[0] in shown
    assert '<span class="masked" title="contact details hidden">' in article_text_div(page)


def summary_rows(page: str) -> dict[str, int]:
    """{holder: total} from the holders table."""
    table = r'<table class="summary holders-table">.*?<tbody>(.*?)</tbody>'
    body = re.search(table, page, re.DOTALL).group(1)
    rows = re.findall(r'<a href="/holders\?[^"]*">([^<]+)</a>.*?<td class="num">(\d+)</td>', body, re.DOTALL)
    return {html.unescape(name): int(total) for name, total in rows}


def test_holder_summary_rolls_persons_up_to_their_affiliation(big_client):
    rolled = summary_rows(big_client.get("/holders").text)
    assert rolled["Russia"] == 5 and rolled["Türkiye"] == 7 and rolled["United Nations"] == 3
    assert "Sergei Lavrov" not in rolled and "Hakan Fidan" not in rolled and "Stéphane Dujarric" not in rolled
    assert rolled["Dr Lee"] == 2  # an analyst speaks for no state: not rolled up
    assert sum(rolled.values()) == 38
    page = big_client.get("/holders").text
    assert re.search(r">Russia</a>\s*<span class=\"members\">incl\. <a [^>]*>Sergei Lavrov</a> 4", page)

    separate = summary_rows(big_client.get("/holders?group=holder").text)
    assert separate["Russia"] == 1 and separate["Sergei Lavrov"] == 4 and separate["Stéphane Dujarric"] == 3
    assert "United Nations" not in separate

    detail = big_client.get("/holders?holder=Russia").text
    assert "Sergei Lavrov" in detail and ">Iran</a>" in detail
    assert len(statement_ids(big_client.get("/statements?speaks_for=Russia").text)) == 5
    # a person's own page still answers (links made without the roll-up)
    assert big_client.get("/holders?holder=Sergei Lavrov").status_code == 200
    assert big_client.get("/holders?holder=Nobody").status_code == 404


def test_dates_filter_the_summary_the_timeline_and_the_list(big_client):
    page = big_client.get("/holders?from=2026-01-10&to=2026-01-31").text
    assert sum(summary_rows(page).values()) == 12  # the second article only (its statements' own date)
    assert re.findall(r'data-week="([^"]+)"', page) == ["2026-W03"]
    assert "26 statement(s) outside the dates, or without a date, are left out." in page
    assert len(statement_ids(big_client.get("/statements?from=2026-01-10&to=2026-01-31").text)) == 12
    assert len(statement_ids(big_client.get("/statements?from=2026-02-01").text)) == 8
    assert len(statement_ids(big_client.get("/statements?to=2026-01-05").text)) == 14
    only_feb = big_client.get("/holders?holder=Brazil&from=2026-02-01").text
    assert "No statements in these dates." in only_feb
    pager = big_client.get("/statements?from=2026-01-10&stance=refusal").text
    assert "from=2026-01-10" in pager  # links keep the dates


def test_the_timeline_counts_statements_per_iso_week_by_stance(big_client):
    page = big_client.get("/holders").text
    assert re.findall(r'data-week="([^"]+)"', page) == [
        "2026-W02",
        "2026-W03",
        "2026-W04",
        "2026-W05",
        "2026-W06",
    ]
    table = re.search(r'<details class="timeline-table">(.*?)</details>', page, re.DOTALL).group(1)
    weeks = {
        week: int(total)
        for week, total in re.findall(
            r"<tr><td>(\d{4}-W\d\d)</td>.*?<td class=\"num\">(\d+)</td></tr>", table, re.DOTALL
        )
    }
    assert weeks == {"2026-W02": 14, "2026-W03": 12, "2026-W06": 8}
    assert "4 statement(s) without a date are not in the timeline." in page
    # the tallest week fills the chart; its refusals are a red rectangle with a title
    first = re.search(r'<g class="week" data-week="2026-W02">(.*?)</g>', page, re.DOTALL).group(1)
    assert "refusal 4" in first and 'class="st-refusal"' in first
    assert re.search(
        r'<rect x="0(?:\.0)?" y="0\.0" width="[\d.]+" height="[\d.]+" class="st-neutral"/>', first
    )


@pytest.mark.parametrize(
    "bad",
    [
        "2026-02-30",
        "20260102",
        "2026-1-2",
        "２０２６-01-02",
        "9" * 400,
        "2026-01-02T00:00",
        "0000-01-01",
        "<b>",
    ],
)
def test_bad_dates_are_ignored_with_a_note(big_client, bad):
    for path in ("/holders", "/statements"):
        for name in ("from", "to"):
            response = big_client.get(path, params={name: bad})
            assert response.status_code == 200, (path, name, bad)
            assert f"{name} date" in response.text and "ignored" in response.text
            assert "<b>" not in response.text
    assert len(statement_ids(big_client.get("/statements", params={"from": bad}).text)) == 38


def test_a_range_that_ends_before_it_starts_is_ignored(big_client):
    page = big_client.get("/holders?from=2026-02-01&to=2026-01-01").text
    assert "the from date is after the to date" in page and sum(summary_rows(page).values()) == 38
    assert big_client.get("/holders?group=<evil>").status_code == 200


def test_no_page_has_inline_styles_or_scripts_for_the_csp(big_client, big_app):
    article = first_article(big_app)
    for path in ("/statements", f"/articles/{article.article_id}", "/holders", "/holders?holder=Russia"):
        page = big_client.get(path).text
        assert " style=" not in page and "<style" not in page, path
        assert page.count("<script") == 1 and 'src="/static/review.js"' in page, path


def test_the_mixed_sentence_has_both_cues(big_client, big_app):
    page = big_client.get(f"/articles/{first_article(big_app).article_id}").text
    mixed = re.search(r'data-sids="[0-9a-f]{16} [0-9a-f]{16}"[^>]*>(.*?)</mark>', page).group(1)
    assert without_tags(mixed) == MIXED_SENTENCE
    assert '<span class="w-cue">spurned</span>' in mixed and '<span class="w-cue">welcomed</span>' in mixed


def test_the_fuzz_on_a_run_with_dates_and_affiliations(big_client):
    fuzz_query_parameters(big_client, seed=19, rounds=60)
    for value in ("2026-01-02", "2026-02-30", "9999-12-31", "0001-01-01"):
        for name in ("from", "to"):
            assert big_client.get("/holders", params={name: value, "holder": "Russia"}).status_code == 200
