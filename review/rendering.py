"""The app's state and how a page is rendered: Jinja environment, the context every page gets."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pipeline import STANCE_LABELS
from review import security
from review.corrections import STATUSES, ActorIndex, Reviewed, review, review_all
from review.errors import ReviewError
from review.highlight import evidence_parts
from review.run_data import RunData
from review.store import CorrectionStore
from review.summary import NO_TARGET, day_of, target_name
from review.views import SORTS

HERE = Path(__file__).resolve().parent
SHORTCUTS = (
    ("j / k", "next / previous statement"),
    ("a", "accept the machine's reading"),
    ("1 – 5", "relabel: " + ", ".join(f"{n} {label}" for n, label in enumerate(STANCE_LABELS, start=1))),
    ("x", "not a statement"),
    ("u", "undo the statement's last correction"),
    ("h / t", "fix the holder / the target"),
    ("o", "open the statement in its article"),
    ("/", "search"),
    ("?", "show or hide these shortcuts"),
)


@dataclass
class ReviewState:
    run: RunData
    store: CorrectionStore
    actors: ActorIndex
    templates: Jinja2Templates
    secret: bytes
    token: str | None
    reviewer: str
    allowed_hosts: frozenset[str] | None

    def reviewed(self) -> list[Reviewed]:
        return review_all(self.run, self.store.active_events())

    def reviewed_one(self, statement_id: str) -> Reviewed:
        events = self.store.active_events(statement_id).get(statement_id, [])
        return review(self.run.statements[statement_id], events, self.actors)

    @cached_property
    def article_dates(self) -> dict[str, str | None]:
        return {a.article_id: a.published for a in self.run.articles.values()}

    def day(self, item: Reviewed) -> date | None:
        """The statement's date: its own, else its article's; None when unknown."""
        return day_of(item.record, self.article_dates)


def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: all text is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        STANCE_LABELS=STANCE_LABELS, STATUSES=STATUSES, SORTS=SORTS, NO_TARGET=NO_TARGET, SHORTCUTS=SHORTCUTS
    )
    env.filters["evidence_parts"] = evidence_parts
    env.filters["target_name"] = target_name
    return Jinja2Templates(env=env)


def reviewer_of(request: Request) -> str:
    state: ReviewState = request.app.state.review
    chosen = request.cookies.get(security.REVIEWER_COOKIE)
    if chosen:
        try:
            return security.valid_reviewer(chosen)
        except ReviewError:
            pass
    return state.reviewer


def common(request: Request) -> dict[str, Any]:
    state: ReviewState = request.app.state.review
    return {
        "csrf": security.csrf_token(state.secret, request.state.session),
        "reviewer": reviewer_of(request),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "run_name": state.run.run_dir.name or str(state.run.run_dir),
    }


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    state: ReviewState = request.app.state.review
    return state.templates.TemplateResponse(
        request, template, {**common(request), **context}, status_code=status_code
    )
