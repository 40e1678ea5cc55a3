"""The review web app: server-rendered pages over one run folder and its corrections database."""

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from review import pages, security
from review.corrections import (
    STATUSES,
    ActorIndex,
    Reviewed,
    check_label,
    check_name,
    check_words,
)
from review.errors import CorrectionError, ReviewError
from review.export import FORMATS, export_text, training_export
from review.labelstudio import MAX_IMPORT_BYTES, import_tasks
from review.rendering import HERE, ReviewState, common, page, reviewer_of, templates
from review.run_data import load_run
from review.store import CorrectionStore
from review.views import ID_RE

DB_FILE = "review.sqlite"
ACTIONS = ("accept", "relabel", "holder", "target", "reject", "undo")


def default_db_path(run_dir: Path) -> Path:
    return Path(run_dir) / DB_FILE


def create_app(
    run_dir: Path,
    db_path: Path | None = None,
    *,
    token: str | None = None,
    reviewer: str = "analyst",
    allowed_hosts: frozenset[str] | None = None,
) -> FastAPI:
    """The app over ``run_dir``; corrections go to ``db_path`` (default: DIR/review.sqlite).

    Without a token only requests addressed to a loopback name are answered (``allowed_hosts``
    overrides that); with a token every request must carry it.
    """
    run = load_run(Path(run_dir))
    if allowed_hosts is None and not token:
        allowed_hosts = security.LOOPBACK_HOSTS
    state = ReviewState(
        run=run,
        store=CorrectionStore(db_path or default_db_path(run_dir)),
        actors=ActorIndex(run),
        templates=templates(),
        secret=secrets.token_bytes(32),
        token=token or None,
        reviewer=security.valid_reviewer(reviewer),
        allowed_hosts=allowed_hosts,
    )
    app = FastAPI(
        title="stance review",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(_csrf_protect)],
    )
    app.state.review = state
    app.middleware("http")(_guard)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ReviewError, _review_error)
    app.add_exception_handler(Exception, _server_error)
    pages.register(app, state)
    _routes(app, state)
    return app


# --- request guards -----------------------------------------------------------------------------


async def _guard(request: Request, call_next: Any) -> Response:
    state: ReviewState = request.app.state.review
    host_header = request.headers.get("host", "")
    if state.allowed_hosts is not None and security.host_name(host_header) not in state.allowed_hosts:
        return _secured(Response("unexpected Host header\n", status_code=400, media_type="text/plain"))
    if state.token:
        given = request.query_params.get("token")
        if given is not None and request.method == "GET" and security.token_matches(state.token, given):
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            # only to a path of this app: "//evil.com?token=..." must not leave it
            target = security.safe_next(request.url.path, default="/")
            response = RedirectResponse(target + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(security.TOKEN_COOKIE, state.token, httponly=True, samesite="strict")
            return _secured(response)
        if not security.token_matches(state.token, _presented_token(request)):
            body = "This review app needs its access token: open it with ?token=... once.\n"
            return _secured(Response(body, status_code=401, media_type="text/plain"))
    if request.method not in security.SAFE_METHODS and (
        not security.same_origin(request.headers.get("origin"), host_header)
        or request.headers.get("sec-fetch-site") == "cross-site"
    ):
        return _secured(Response("cross-site request refused\n", status_code=403, media_type="text/plain"))
    session = request.cookies.get(security.SESSION_COOKIE) or ""
    fresh = not (20 <= len(session) <= 100)
    if fresh:
        session = security.new_session()
    request.state.session = session
    response = await call_next(request)
    if fresh:
        response.set_cookie(security.SESSION_COOKIE, session, httponly=True, samesite="strict")
    return _secured(response)


def _presented_token(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return request.headers.get(security.TOKEN_HEADER) or request.cookies.get(security.TOKEN_COOKIE)


def _secured(response: Response) -> Response:
    for name, value in security.SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _csrf_protect(request: Request) -> None:
    """Every state-changing request carries the CSRF token of its session (header or form field)."""
    if request.method in security.SAFE_METHODS:
        return
    given = request.headers.get(security.CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(security.CSRF_FIELD)
        given = field if isinstance(field, str) else None
    session = getattr(request.state, "session", None)
    if not security.csrf_valid(request.app.state.review.secret, session, given):
        raise HTTPException(
            403, "The form has expired or did not come from this app: reload the page and retry."
        )


def _is_fetch(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and message == "Not Found":
        message = "No such page, statement or article."
    return _error_response(request, exc.status_code, message)


async def _review_error(request: Request, exc: ReviewError) -> Response:
    return _error_response(request, 422, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: a plain page with the same security headers as every other."""
    body = "Internal error: the review app could not answer this request.\n"
    return _secured(Response(body, status_code=500, media_type="text/plain"))


def _error_response(request: Request, status: int, message: str) -> Response:
    if _is_fetch(request):
        return JSONResponse({"ok": False, "error": message}, status_code=status)
    return page(request, "error.html", {"message": message, "title": "Error"}, status_code=status)


# --- helpers ------------------------------------------------------------------------------------


def _statement_or_404(state: ReviewState, statement_id: str) -> None:
    if not ID_RE.match(statement_id) or statement_id not in state.run.statements:
        raise HTTPException(404, "No such statement in this run.")


def _done_message(action: str, item: Reviewed) -> str:
    return {
        "accept": f"Accepted: {item.stance}",
        "relabel": f"Relabelled: {item.stance}",
        "holder": f"Holder: {item.holder.mention} ({item.holder.name})",
        "target": f"Target: {item.target.mention if item.target else 'none'}",
        "reject": "Marked as not a statement",
        "undo": f"Undone; now {item.status}",
    }[action]


# --- routes -------------------------------------------------------------------------------------


def _routes(app: FastAPI, state: ReviewState) -> None:
    run = state.run

    @app.post("/statements/{statement_id}/{action}")
    async def act(
        request: Request,
        statement_id: str,
        action: str,
        label: str = Form(""),
        words: str = Form(""),
        name: str = Form(""),
        no_target: str = Form(""),
        next_url: str = Form("", alias="next"),
    ) -> Response:
        if action not in ACTIONS:
            raise HTTPException(404, "No such action.")
        _statement_or_404(state, statement_id)
        record = run.statements[statement_id]
        who = reviewer_of(request)
        try:
            if action == "relabel":
                state.store.append(statement_id, "relabel", who, label=check_label(label))
            elif action == "holder":
                mention = check_words(record.text, words, "holder")
                state.store.append(
                    statement_id,
                    "holder",
                    who,
                    holder_mention=mention,
                    holder_name=check_name(name, mention, state.actors),
                )
            elif action == "target":
                mention = None if no_target else check_words(record.text, words, "target")
                state.store.append(statement_id, "target", who, target_mention=mention)
            elif action == "undo":
                state.store.undo(statement_id, who)
            else:
                state.store.append(statement_id, action, who)
        except CorrectionError as exc:
            raise HTTPException(422, str(exc)) from exc
        back = security.safe_next(next_url).split("#", 1)[0]
        if not _is_fetch(request):
            return RedirectResponse(f"{back}#s-{statement_id}", status_code=303)
        item = state.reviewed_one(statement_id)
        context = {
            **common(request),
            "item": item,
            "here": back,
            "article_titles": {record.article_id: run.articles[record.article_id].title or ""},
            "known_names": [],
        }
        row = state.templates.get_template("_row.html").render(context)
        return JSONResponse(
            {
                "ok": True,
                "status": item.status,
                "stance": item.stance,
                "message": _done_message(action, item),
                "row": row,
            }
        )

    @app.post("/reviewer")
    async def set_reviewer(name: str = Form(...), next_url: str = Form("", alias="next")) -> Response:
        chosen = security.valid_reviewer(name)
        response = RedirectResponse(security.safe_next(next_url), status_code=303)
        response.set_cookie(
            security.REVIEWER_COOKIE, chosen, httponly=True, samesite="strict", max_age=365 * 86400
        )
        return response

    @app.get("/export", response_class=HTMLResponse)
    async def export_page(request: Request) -> HTMLResponse:
        return _export_page(request, state, report=None)

    @app.get("/export/{fmt}")
    async def export_file(fmt: str) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404, "No such export.")
        spec = FORMATS[fmt]
        content = export_text(fmt, state.reviewed(), run)
        return Response(
            content,
            media_type=spec.media_type,
            headers={"Content-Disposition": f'attachment; filename="{spec.file_name}"'},
        )

    @app.post("/import/labelstudio", response_class=HTMLResponse)
    async def import_labelstudio(request: Request, file: UploadFile) -> HTMLResponse:
        raw = await file.read(MAX_IMPORT_BYTES + 1)
        report = import_tasks(raw, run, state.store, reviewer_of(request))
        return _export_page(request, state, report=report)


def _export_page(request: Request, state: ReviewState, report: Any) -> HTMLResponse:
    reviewed = state.reviewed()
    training = training_export(reviewed)
    counts = {status: sum(1 for i in reviewed if i.status == status) for status in STATUSES}
    return page(
        request,
        "export.html",
        {
            "title": "Export",
            "formats": FORMATS,
            "training": training,
            "counts": counts,
            "events": len(state.store.events()),
            "report": report,
            "db_path": str(state.store.path),
            "statement_articles": {sid: s.article_id for sid, s in state.run.statements.items()},
        },
    )
