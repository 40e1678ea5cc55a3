"""The pages that only read: the statements list, the articles, an article, the holder summary."""

from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review.highlight import segments
from review.rendering import ReviewState, page
from review.summary import (
    GROUPS,
    holder_summary,
    in_range,
    parse_range,
    target_name,
    target_summary,
    voice,
    weekly_timeline,
)
from review.views import ID_RE, MAX_QUERY, apply_filters, paginate, parse_filters

PAGE_SIZE = 50
TIMELINE_WIDTH, TIMELINE_HEIGHT = 960, 120


def register(app: FastAPI, state: ReviewState) -> None:
    run = state.run

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/statements", status_code=303)

    @app.get("/statements", response_class=HTMLResponse)
    async def statements(request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        filters = parse_filters(params)
        reviewed = state.reviewed()
        chosen = apply_filters(reviewed, filters, state.day)
        listed = paginate(chosen, params.get("page", ""), PAGE_SIZE)
        base = filters.query()

        def link(**changes: str) -> str:
            query = {**base, **changes}
            return "/statements" + ("?" + urlencode({k: v for k, v in query.items() if v}) if query else "")

        done = sum(1 for item in reviewed if item.status != "unreviewed")
        return page(
            request,
            "statements.html",
            {
                "title": "Statements",
                "filters": filters,
                "page": listed,
                "link": link,
                "reviewed_count": done,
                "total": len(reviewed),
                "holders": sorted({i.holder.name for i in reviewed}, key=str.casefold),
                "targets": sorted({target_name(i) for i in reviewed}, key=str.casefold),
                "articles": list(run.articles.values()),
                "article_titles": {a.article_id: a.title or a.source for a in run.articles.values()},
                "known_names": sorted(state.actors.by_name, key=str.casefold),
            },
        )

    @app.get("/articles", response_class=HTMLResponse)
    async def articles(request: Request) -> HTMLResponse:
        reviewed = state.reviewed()
        rows = []
        for article in run.articles.values():
            mine = [i for i in reviewed if i.record.article_id == article.article_id]
            rows.append((article, len(mine), sum(1 for i in mine if i.status != "unreviewed")))
        return page(request, "articles.html", {"title": "Articles", "rows": rows, "errors": run.errors})

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    async def article(request: Request, article_id: str) -> HTMLResponse:
        if not ID_RE.match(article_id) or article_id not in run.articles:
            raise HTTPException(404, "No such article in this run.")
        record = run.articles[article_id]
        mine = [i for i in state.reviewed() if i.record.article_id == article_id]
        return page(
            request,
            "article.html",
            {
                "title": record.title or record.source,
                "article": record,
                "segments": segments(record, mine),
                "items": mine,
                "article_titles": {article_id: record.title or record.source},
                "known_names": sorted(state.actors.by_name, key=str.casefold),
            },
        )

    @app.get("/holders", response_class=HTMLResponse)
    async def holders(request: Request) -> HTMLResponse:
        params = request.query_params
        problems: list[str] = []
        holder = params.get("holder", "")[:MAX_QUERY]
        group = params.get("group", "") or "affiliation"
        if group not in GROUPS:
            problems.append("unknown grouping; persons are rolled up to the actor they speak for")
            group = "affiliation"
        start, end = parse_range(params, problems)
        reviewed = state.reviewed()
        if holder and not any(voice(i, group) == holder for i in reviewed):
            if not any(i.holder.name == holder for i in reviewed):
                raise HTTPException(404, "No statements by that holder in this run.")
            group = "holder"  # a person's own page, from a link made without the roll-up
        dated = [i for i in reviewed if in_range(state.day(i), start, end)]
        mine = [i for i in dated if voice(i, group) == holder] if holder else dated
        rows = target_summary(mine, holder, group) if holder else holder_summary(mine, group)
        kept = {
            "group": "" if group == "affiliation" else group,
            "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else "",
        }
        return page(
            request,
            "holders.html",
            {
                "title": f"Holder: {holder}" if holder else "Holders",
                "holder": holder,
                "group": group,
                "groups": GROUPS,
                "start": start,
                "end": end,
                "problems": problems,
                "rows": rows,
                "scale": max((r.total for r in rows), default=1),
                "rejected": sum(1 for i in dated if i.status == "rejected"),
                "outside_range": len(reviewed) - len(dated),
                "timeline": weekly_timeline(mine, state.day),
                "chart": (TIMELINE_WIDTH, TIMELINE_HEIGHT),
                "query": lambda **extra: urlencode({k: v for k, v in {**kept, **extra}.items() if v}),
            },
        )
