"""The app through HTTP: pages, filters, corrections, escaping, CSRF, tokens, ids and paths."""

import hashlib
import json

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from review.errors import ReviewError
from review.security import check_binding, host_name, safe_next
from tests.review.builders import S_MEDIATION, SCRIPT, S_CORef
from tests.review.conftest import BASE_URL, csrf_of, fuzz_query_parameters, statement_ids, without_tags

FETCH = {"X-Requested-With": "fetch"}


def sid_of(app, holder: str) -> str:
    return next(s.statement_id for s in app.state.review.run.statements.values() if s.holder.name == holder)


def article_of(app, holder: str) -> str:
    return next(s.article_id for s in app.state.review.run.statements.values() if s.holder.name == holder)


def test_pages_render(client, app):
    assert client.get("/", follow_redirects=False).headers["location"] == "/statements"
    for path in (
        "/statements",
        "/articles",
        f"/articles/{article_of(app, 'Qatar')}",
        "/holders",
        "/holders?holder=Qatar",
        "/export",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_list_sorts_lowest_confidence_first_and_filters(client, app):
    run = app.state.review.run
    ordered = [s.statement_id for s in sorted(run.statements.values(), key=lambda s: s.confidence)]
    assert statement_ids(client.get("/statements").text) == ordered
    assert statement_ids(client.get("/statements?sort=-confidence").text) == ordered[::-1]
    assert statement_ids(client.get("/statements?stance=refusal").text) == [
        sid for sid in ordered if run.statements[sid].stance == "refusal"
    ]
    assert statement_ids(client.get("/statements?holder=Qatar").text) == [sid_of(app, "Qatar")]
    assert statement_ids(client.get("/statements?target=Ukraine").text) == [
        sid_of(app, "Australia"),
        sid_of(app, "Norway"),
    ]
    assert len(statement_ids(client.get("/statements?target=(no target)").text)) == 4
    in_range = statement_ids(client.get("/statements?min_conf=0.5&max_conf=0.9").text)
    assert {run.statements[s].confidence for s in in_range} == {0.55, 0.62}
    second = article_of(app, "Norway")
    assert set(statement_ids(client.get(f"/statements?article={second}").text)) == {
        sid_of(app, "Norway"),
        sid_of(app, "Australia"),
    }
    assert statement_ids(client.get("/statements?q=AIR-DEFENCE").text) == [sid_of(app, "Norway")]
    assert statement_ids(client.get("/statements?q=ankara").text) == [sid_of(app, "Türkiye")]


def test_bad_filter_values_are_ignored_with_a_note(client):
    page = client.get("/statements?stance=<x>&min_conf=abc&max_conf=7&article=../../etc&sort=evil")
    assert page.status_code == 200
    assert len(statement_ids(page.text)) == 6
    for note in ("unknown stance", "minimum confidence", "between 0 and 1", "not an article id", "sort"):
        assert note in page.text
    assert "<x>" not in page.text


def test_status_filter_and_pagination_keep_filters(client, app):
    csrf = csrf_of(client)
    client.post(f"/statements/{sid_of(app, 'Qatar')}/accept", data={"csrf": csrf})
    assert statement_ids(client.get("/statements?status=accepted").text) == [sid_of(app, "Qatar")]
    assert len(statement_ids(client.get("/statements?status=unreviewed").text)) == 5
    page = client.get("/statements?page=99&stance=refusal")
    assert "page 1 of 1" in page.text


def test_html_and_script_in_records_are_escaped_everywhere(client, app):
    for path in (
        "/statements",
        f"/articles/{article_of(app, 'Qatar')}",
        "/articles",
        "/holders",
        "/holders?holder=Qatar",
    ):
        html = client.get(path).text
        assert SCRIPT not in html and "<b>" not in html and "<i>" not in html, path
    article = client.get(f"/articles/{article_of(app, 'Qatar')}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    # "offered" is the cue, marked inside the escaped markup around it
    assert '&lt;b&gt;<span class="w-cue">offered</span>&lt;/b&gt;' in article
    assert "Straits talks &lt;b&gt;bold&lt;/b&gt;" in article
    # the only scripts are the app's own file; no inline handlers
    assert article.count("<script") == 1 and 'src="/static/review.js"' in article
    assert " onclick=" not in article and " onerror=" not in article


def test_article_view_highlights_each_statement_in_context(client, app):
    sid = sid_of(app, "Qatar")
    html = client.get(f"/articles/{article_of(app, 'Qatar')}").text
    assert f'id="ev-{sid}"' in html
    assert f'data-sids="{sid}"' in html and '<span class="furniture" title="heading">' in html
    assert f'id="s-{sid}"' in html  # its row, with the actions


def test_holder_summary_counts_corrected_stances(client, app):
    csrf = csrf_of(client)
    client.post(f"/statements/{sid_of(app, 'Australia')}/relabel", data={"label": "support", "csrf": csrf})
    client.post(f"/statements/{sid_of(app, 'Qatar')}/reject", data={"csrf": csrf})
    summary = client.get("/holders").text
    assert "1 statement(s) marked" in summary and ">Qatar<" not in summary
    detail = client.get("/holders?holder=Australia").text
    assert '<rect x="0.0" y="0" width="300.0" height="16" class="st-support">' in detail
    assert client.get("/holders?holder=Nobody").status_code == 404


def test_corrections_by_form_and_by_fetch(client, app, run_dir):
    machine = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run_dir.glob("*.json*")}
    csrf = csrf_of(client)
    sid = sid_of(app, "Qatar")
    response = client.post(
        f"/statements/{sid}/relabel",
        data={"label": "support", "csrf": csrf, "next": "/statements?stance=mediation"},
        follow_redirects=False,
    )
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/statements?stance=mediation#s-{sid}"
    )
    answer = client.post(
        f"/statements/{sid}/holder", data={"words": "Qatar", "name": "", "csrf": csrf}, headers=FETCH
    ).json()
    assert answer["ok"] and answer["status"] == "corrected" and answer["message"] == "Holder: Qatar (Qatar)"
    assert f'id="s-{sid}"' in answer["row"] and SCRIPT not in answer["row"]
    answer = client.post(
        f"/statements/{sid}/target", data={"words": "the two sides", "csrf": csrf}, headers=FETCH
    ).json()
    assert answer["message"] == "Target: the two sides"
    answer = client.post(
        f"/statements/{sid}/target", data={"no_target": "1", "csrf": csrf}, headers=FETCH
    ).json()
    assert answer["message"] == "Target: none"
    answer = client.post(f"/statements/{sid}/reject", data={"csrf": csrf}, headers=FETCH).json()
    assert answer["status"] == "rejected"
    answer = client.post(f"/statements/{sid}/undo", data={"csrf": csrf}, headers=FETCH).json()
    assert answer["status"] == "corrected"
    events = app.state.review.store.events(sid)
    assert [e.action for e in events] == ["relabel", "holder", "target", "target", "reject", "undo"]
    assert {e.reviewer for e in events} == {"tester"}
    assert machine == {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run_dir.iterdir() if p.name in machine
    }
    assert (run_dir / "review.sqlite").is_file()


def test_correction_errors_are_clear(client, app):
    csrf = csrf_of(client)
    sid = sid_of(app, "Qatar")
    answer = client.post(f"/statements/{sid}/holder", data={"words": "Doha", "csrf": csrf}, headers=FETCH)
    assert (
        answer.status_code == 422 and "'Doha' do not occur in the evidence sentence" in answer.json()["error"]
    )
    page = client.post(f"/statements/{sid}/holder", data={"words": "<script>x</script>", "csrf": csrf})
    assert (
        page.status_code == 422
        and "&lt;script&gt;x&lt;/script&gt;" in page.text
        and "<script>x" not in page.text
    )
    assert (
        client.post(
            f"/statements/{sid}/relabel", data={"label": "war", "csrf": csrf}, headers=FETCH
        ).status_code
        == 422
    )
    assert (
        "nothing"
        not in client.post(f"/statements/{sid}/undo", data={"csrf": csrf}, headers=FETCH).json()["error"]
    )
    assert client.post(f"/statements/{sid}/explode", data={"csrf": csrf}).status_code == 404


def test_reviewer_name_is_chosen_per_browser(client, app):
    csrf = csrf_of(client)
    response = client.post(
        "/reviewer",
        data={"name": "Ana <Analyst>", "csrf": csrf, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/statements"
    client.post(f"/statements/{sid_of(app, 'Qatar')}/accept", data={"csrf": csrf})
    assert app.state.review.store.events()[-1].reviewer == "Ana <Analyst>"
    assert "Ana &lt;Analyst&gt;" in client.get("/statements").text
    assert client.post("/reviewer", data={"name": "x" * 65, "csrf": csrf}).status_code == 422


def test_every_post_route_requires_the_csrf_token(client, app):
    sid = sid_of(app, "Qatar")
    client.get("/statements")  # a session cookie, but no token in the requests below
    posts = [r.path for r in app.routes if "POST" in getattr(r, "methods", ())]
    assert set(posts) == {"/statements/{statement_id}/{action}", "/reviewer", "/import/labelstudio"}
    for path in (f"/statements/{sid}/accept", "/reviewer", "/import/labelstudio"):
        assert client.post(path, data={"name": "x"}).status_code == 403, path
        assert client.post(path, data={"csrf": "0" * 64}).status_code == 403, path
        assert client.post(path, headers={"X-CSRF-Token": "nope"}).status_code == 403, path
    assert app.state.review.store.events() == []


def test_csrf_token_is_bound_to_the_session(app):
    with TestClient(app, base_url=BASE_URL) as one, TestClient(app, base_url=BASE_URL) as two:
        token_one = csrf_of(one)
        csrf_of(two)
        sid = sid_of(app, "Qatar")
        assert two.post(f"/statements/{sid}/accept", data={"csrf": token_one}).status_code == 403
        assert (
            one.post(
                f"/statements/{sid}/accept", data={"csrf": token_one}, follow_redirects=False
            ).status_code
            == 303
        )


def test_cross_site_posts_are_refused(client, app):
    csrf = csrf_of(client)
    sid = sid_of(app, "Qatar")
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        assert (
            client.post(f"/statements/{sid}/accept", data={"csrf": csrf}, headers=headers).status_code == 403
        )
    ok = client.post(
        f"/statements/{sid}/accept", data={"csrf": csrf}, headers={"Origin": BASE_URL}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_session_cookie_is_samesite_strict_and_httponly(app):
    with TestClient(app, base_url=BASE_URL) as fresh:
        cookie = fresh.get("/statements").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize(
    "path",
    [
        "/articles/..%2F..%2Fetc%2Fpasswd",
        "/articles/0123456789ABCDEF",
        "/articles/0123456789abcdef",
        "/articles/0123456789abcdef0",
        "/export/..%2Freview.sqlite",
        "/export/statements.jsonl",
        "/static/..%2Freview.sqlite",
        "/static/../app.py",
        "/statements/..%2F..%2Fx",
    ],
)
def test_no_path_traversal_through_ids_or_names(client, path):
    response = client.get(path)
    assert response.status_code in (404, 405), path
    assert "CREATE TABLE" not in response.text and "import" not in response.text.split("<main>")[0]


def test_posts_with_unknown_or_malformed_ids(client):
    csrf = csrf_of(client)
    for sid in ("0123456789abcdef", "..%2F..%2Fetc", "ZZZZZZZZZZZZZZZZ"):
        assert client.post(f"/statements/{sid}/accept", data={"csrf": csrf}).status_code == 404


def test_only_loopback_host_names_are_answered_without_a_token(client):
    assert client.get("/statements", headers={"Host": "evil.example:8765"}).status_code == 400
    assert client.get("/statements", headers={"Host": "localhost:8765"}).status_code == 200
    assert client.get("/statements", headers={"Host": "[::1]:8765"}).status_code == 200
    assert host_name("[::1]:8765") == "::1" and host_name("127.0.0.1") == "127.0.0.1"


def test_token_is_required_on_every_request(run_dir):
    token = "t" * 24
    app = create_app(run_dir, token=token)
    with TestClient(app, base_url="http://review.example.org") as client:
        for path in ("/statements", "/static/review.js", "/export/training"):
            assert client.get(path).status_code == 401, path
        assert client.get("/statements?token=wrong-token-wrong-token").status_code == 401
        assert client.get("/statements", headers={"X-Review-Token": token}).status_code == 200
        assert client.get("/statements", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        first = client.get(f"/statements?token={token}&stance=refusal", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/statements?stance=refusal"
        assert "samesite=strict" in first.headers["set-cookie"].lower()
        assert client.get("/statements").status_code == 200  # the cookie now carries it


def test_binding_off_loopback_needs_a_token():
    check_binding("127.0.0.1", None)
    check_binding("::1", None)
    with pytest.raises(ReviewError, match="token"):
        check_binding("0.0.0.0", None)
    with pytest.raises(ReviewError, match="at least 16"):
        check_binding("0.0.0.0", "short")
    check_binding("0.0.0.0", "a-long-enough-token")


def test_safe_next():
    assert safe_next("/statements?x=1") == "/statements?x=1"
    for bad in (
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        None,
    ):
        assert safe_next(bad) == "/statements"


def test_exports_download_with_fixed_names(client, app):
    csrf = csrf_of(client)
    client.post(f"/statements/{sid_of(app, 'Qatar')}/relabel", data={"label": "support", "csrf": csrf})
    response = client.get("/export/training")
    assert response.headers["content-disposition"] == 'attachment; filename="training.jsonl"'
    example = json.loads(response.text)
    assert example["text"] == S_MEDIATION and example["label"] == "support"
    assert client.get("/export/csv").headers["content-type"].startswith("text/csv")
    assert client.get("/export/labelstudio-config").text.startswith("<View>")
    page = client.get("/export").text
    assert "(1 examples)" in page


def test_export_page_lists_statements_that_need_holder_words(client, app):
    csrf = csrf_of(client)
    sid = sid_of(app, "Ingrid Solvang")
    client.post(f"/statements/{sid}/accept", data={"csrf": csrf})
    page = client.get("/export").text
    assert f"#ev-{sid}" in page and "is not in the evidence sentence" in page
    assert S_CORef in without_tags(client.get(f"/articles/{article_of(app, 'Ingrid Solvang')}").text)


@pytest.mark.parametrize("page", ["²", "①", "٣", "9" * 5000, "-1", "1.5", " 2", ""])
def test_odd_page_numbers_fall_back_to_the_first_page(client, page):
    response = client.get("/statements", params={"page": page})
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_a_bounded_fuzz_of_query_parameters_never_gives_a_5xx(client):
    fuzz_query_parameters(client, seed=7, rounds=150)


def test_a_server_error_page_has_the_security_headers(run_dir):
    app = create_app(run_dir, reviewer="tester")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "unexpected" not in response.text


def test_the_token_redirect_stays_on_this_app_and_hosts_match_exactly(run_dir):
    token = "t" * 24
    app = create_app(run_dir, token=token)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        response = client.get(f"//evil.com?token={token}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        same = client.get(f"/articles?token={token}&x=1", follow_redirects=False)
        assert same.headers["location"] == "/articles?x=1"
    for forged in (
        "localhost:1@evil.com",
        "[::1]evil.com",
        "localhost:8765:1",
        "localhost.evil.com",
        "127.0.0.1 x",
    ):
        assert host_name(forged) not in ("localhost", "::1", "127.0.0.1"), forged
    with TestClient(create_app(run_dir, reviewer="tester"), base_url="http://127.0.0.1:8765") as local:
        assert local.get("/statements", headers={"Host": "localhost:1@evil.com"}).status_code == 400
        assert local.get("/statements", headers={"Host": "[::1]evil.com"}).status_code == 400
