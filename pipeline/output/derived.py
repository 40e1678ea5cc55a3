"""Outputs derived from the JSONL contract: Parquet, a flat CSV, actor positions, a run report.

JSONL stays the contract; everything here is rebuilt from it at the end of every run (after
the batches are committed), each file written atomically, so the derived files always hold
exactly the committed rows, also after an incremental rerun or a run that was killed.
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import STANCE_LABELS
from pipeline.ingest.document import is_url
from pipeline.output.jsonio import read_jsonl, write_atomic, write_jsonl
from pipeline.runs import layout

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ACTOR_ROLES = ("holder", "speaker", "target")
ACTOR_FIELDS = ("name", "mention", "type", "country", "country_code", "id", "title", "sector")
AFFILIATION_FIELDS = ("name", "type", "country_code", "id")
EVIDENCE_PER_POSITION = 3

AFFILIATION = pa.struct([(name, pa.string()) for name in AFFILIATION_FIELDS])
ACTOR = pa.struct([*((name, pa.string()) for name in ACTOR_FIELDS), ("affiliation", AFFILIATION)])
STATEMENT_SCHEMA = pa.schema(
    [
        ("schema_version", pa.string()),
        ("statement_id", pa.string()),
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("text", pa.string()),
        ("holder", ACTOR),
        ("speaker", ACTOR),
        ("target", ACTOR),
        ("cue", pa.string()),
        ("stance", pa.string()),
        ("confidence", pa.float64()),
        ("scores", pa.struct([(label, pa.float64()) for label in STANCE_LABELS])),
        ("negated", pa.bool_()),
        ("conditional", pa.bool_()),
        ("hedged", pa.bool_()),
        ("model", pa.string()),
        ("published", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("plover", pa.string()),
        ("plover_mode", pa.string()),
    ]
)
ARTICLE_SCHEMA = pa.schema(
    [
        ("schema_version", pa.string()),
        ("article_id", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published", pa.string()),
        ("url", pa.string()),
        ("urls", pa.list_(pa.string())),
        ("text", pa.string()),
        (
            "furniture",
            pa.list_(
                pa.struct([("kind", pa.string()), ("char_start", pa.int64()), ("char_end", pa.int64())])
            ),
        ),
    ]
)
POSITION_SCHEMA = pa.schema(
    [
        ("holder", pa.string()),
        ("holder_type", pa.string()),
        ("holder_country_code", pa.string()),
        ("target", pa.string()),
        ("target_country_code", pa.string()),
        ("stance", pa.string()),
        ("statements", pa.int64()),
        ("articles", pa.int64()),
        ("sources", pa.int64()),
        ("first_published", pa.string()),
        ("last_published", pa.string()),
        ("mean_confidence", pa.float64()),
        ("evidence", pa.list_(pa.string())),
    ]
)


# -- writing ---------------------------------------------------------------------------------
def write_parquet(path: Path, rows: Sequence[dict[str, Any]], schema: pa.Schema) -> None:
    """Replace ``path`` atomically with a Parquet file of ``rows`` (missing keys are null)."""
    table = pa.Table.from_pylist(
        [{name: row.get(name) for name in schema.names} for row in rows], schema=schema
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        pq.write_table(table, tmp_name)
        with open(tmp_name, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _flat_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else spreadsheet_safe(value)


CSV_SCALARS = (
    "statement_id", "article_id", "published", "url", "title", "sentence_index", "char_start",
    "char_end", "text", "cue", "stance", "confidence", "negated", "conditional", "hedged", "plover",
    "plover_mode", "model", "schema_version",
)  # fmt: skip


def csv_columns() -> list[str]:
    columns = list(CSV_SCALARS)
    for role in ACTOR_ROLES:
        columns += [f"{role}_{name}" for name in ACTOR_FIELDS]
        columns += [f"{role}_affiliation_{name}" for name in AFFILIATION_FIELDS]
    return columns + [f"score_{label}" for label in STANCE_LABELS]


def flat_row(statement: dict[str, Any]) -> dict[str, object]:
    """One CSV row: one column per actor field, booleans as true/false, formulas neutralised."""
    row: dict[str, object] = {name: statement.get(name) for name in CSV_SCALARS}
    for role in ACTOR_ROLES:
        actor = statement.get(role) or {}
        affiliation = actor.get("affiliation") or {}
        row.update({f"{role}_{name}": actor.get(name) for name in ACTOR_FIELDS})
        row.update({f"{role}_affiliation_{name}": affiliation.get(name) for name in AFFILIATION_FIELDS})
    row.update({f"score_{label}": (statement.get("scores") or {}).get(label) for label in STANCE_LABELS})
    return {name: _flat_value(value) for name, value in row.items()}


def render_csv(statements: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(), lineterminator="\n")
    writer.writeheader()
    for statement in statements:
        writer.writerow(flat_row(statement))
    return buffer.getvalue()


# -- positions -------------------------------------------------------------------------------
def source_name(article: dict[str, Any]) -> str:
    """Who published an article, as far as its record tells: the site of its URL, else the
    input file it came from (a JSONL file's lines are one source)."""
    url = article.get("url") or (article["source"] if is_url(article["source"]) else None)
    if url:
        host = urlsplit(url).hostname or url
        return host.removeprefix("www.")
    return re.sub(r":\d+$", "", article["source"])


def source_names(articles: Iterable[dict[str, Any]]) -> dict[str, str]:
    return {article["article_id"]: source_name(article) for article in articles}


def _holder_of(statement: dict[str, Any], roll_up: bool) -> dict[str, Any]:
    holder = statement["holder"]
    if roll_up and holder.get("affiliation"):
        return holder["affiliation"]
    return holder


def positions(
    statements: Iterable[dict[str, Any]],
    sources: dict[str, str],
    *,
    roll_up: bool = False,
    keep: Callable[[dict[str, Any]], bool] = lambda _: True,
) -> list[dict[str, Any]]:
    """One row per (holder, target, stance) with how often, where and when it was stated.

    ``sources`` maps article ids to their source (``source_names``: a site or an input file);
    ``roll_up`` counts a person's statements for the actor they speak for; ``keep`` filters
    statements first.
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for statement in statements:
        if not keep(statement):
            continue
        holder, target = _holder_of(statement, roll_up), statement.get("target") or {}
        key = (holder["name"], target.get("name"), statement["stance"])
        groups.setdefault(key, []).append(statement)
    rows = []
    for (holder_name, target_name, stance), members in groups.items():
        holder, target = _holder_of(members[0], roll_up), members[0].get("target") or {}
        dates = sorted(s["published"] for s in members if s.get("published"))
        strongest = sorted(members, key=lambda s: (-s["confidence"], s["statement_id"]))
        rows.append(
            {
                "holder": holder_name,
                "holder_type": holder.get("type"),
                "holder_country_code": holder.get("country_code"),
                "target": target_name,
                "target_country_code": target.get("country_code"),
                "stance": stance,
                "statements": len(members),
                "articles": len({s["article_id"] for s in members}),
                "sources": len({sources.get(s["article_id"], s["article_id"]) for s in members}),
                "first_published": dates[0] if dates else None,
                "last_published": dates[-1] if dates else None,
                "mean_confidence": round(sum(s["confidence"] for s in members) / len(members), 4),
                "evidence": [s["statement_id"] for s in strongest[:EVIDENCE_PER_POSITION]],
            }
        )
    rows.sort(key=lambda r: (-r["statements"], r["holder"], r["target"] or "", r["stance"]))
    return rows


# -- report ----------------------------------------------------------------------------------
STANCE_COLOURS = {
    "support": "#2e7d32",
    "refusal": "#c62828",
    "mediation": "#1565c0",
    "opposition": "#ef6c00",
    "neutral": "#9e9e9e",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def stance_chart(statements: Sequence[dict[str, Any]], top: int = 10) -> str:
    """An inline SVG: statements per stance for the holders with the most statements."""
    counts: dict[str, dict[str, int]] = {}
    for statement in statements:
        by_stance = counts.setdefault(statement["holder"]["name"], dict.fromkeys(STANCE_LABELS, 0))
        by_stance[statement["stance"]] += 1
    holders = sorted(counts, key=lambda name: (-sum(counts[name].values()), name))[:top]
    if not holders:
        return ""
    widest = max(sum(counts[name].values()) for name in holders)
    bar_width, left, row_height = 360, 170, 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + bar_width + 60}" '
        f'height="{row_height * (len(holders) + 1) + 10}" font-family="sans-serif" font-size="12">'
    ]
    for row, name in enumerate(holders):
        y, x = row * row_height + 5, left
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_escape(name[:24])}</text>')
        for stance in STANCE_LABELS:
            width = counts[name][stance] * bar_width / widest
            if width:
                colour = STANCE_COLOURS[stance]
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="16" fill="{colour}">'
                    f"<title>{stance}: {counts[name][stance]}</title></rect>"
                )
                x += width
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}">{sum(counts[name].values())}</text>')
    legend_y, x = len(holders) * row_height + 10, left
    for stance in STANCE_LABELS:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="10" height="10" fill="{STANCE_COLOURS[stance]}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y + 9}">{stance}</text>')
        x += 80
    parts.append("</svg>")
    return "".join(parts)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()|~])")  # inside a table cell, these are all that act


def _cell(text: object) -> str:
    """Text from articles as inert markdown: no HTML, links, images or table breaks (the report
    is also a Prefect artifact that a browser renders)."""
    plain = " ".join(str(text if text is not None else "").split())  # newlines, U+2028 and the like
    return MARKDOWN_SPECIAL.sub(r"\\\1", _escape(plain))


def render_report(
    articles: Sequence[dict[str, Any]],
    statements: Sequence[dict[str, Any]],
    position_rows: Sequence[dict[str, Any]],
    errors: int,
    lowest: int = 5,
) -> str:
    by_stance = {label: sum(1 for s in statements if s["stance"] == label) for label in STANCE_LABELS}
    lines = [
        "# Stance run report",
        "",
        f"{len(articles)} articles, {len(statements)} statements, {errors} inputs failed in the last run.",
        "",
        "| stance | statements |",
        "| --- | ---: |",
        *(f"| {label} | {count} |" for label, count in by_stance.items()),
        "",
        "## Top positions",
        "",
        "| holder | stance | target | statements | articles | first | last |",
        "| --- | --- | --- | ---: | ---: | --- | --- |",
        *(
            f"| {_cell(r['holder'])} | {r['stance']} | {_cell(r['target'] or '-')} | {r['statements']} | "
            f"{r['articles']} | {_cell(r['first_published'] or '-')} | {_cell(r['last_published'] or '-')} |"
            for r in [p for p in position_rows if p["stance"] != "neutral"][:10]
        ),
        "",
        "## Statements per holder and stance",
        "",
        stance_chart(statements) or "(no statements)",
        "",
        "## Least confident statements (worth a review)",
        "",
        "| confidence | holder | stance | evidence |",
        "| ---: | --- | --- | --- |",
        *(
            f"| {s['confidence']:.2f} | {_cell(s['holder']['name'])} | {s['stance']} "
            f"| {_cell(s['text'][:160])} |"
            for s in sorted(statements, key=lambda s: (s["confidence"], s["statement_id"]))[:lowest]
        ),
        "",
    ]
    return "\n".join(lines)


def write_derived(out_dir: Path, errors: int) -> str:
    """Rebuild every derived file from the committed JSONL; returns the report's markdown."""
    articles_path, statements_path = out_dir / layout.ARTICLES, out_dir / layout.STATEMENTS
    articles = read_jsonl(articles_path) if articles_path.exists() else []
    statements = read_jsonl(statements_path) if statements_path.exists() else []
    position_rows = positions(statements, source_names(articles))
    report = render_report(articles, statements, position_rows, errors)
    write_parquet(out_dir / layout.STATEMENTS_PARQUET, statements, STATEMENT_SCHEMA)
    write_parquet(out_dir / layout.ARTICLES_PARQUET, articles, ARTICLE_SCHEMA)
    write_atomic(out_dir / layout.STATEMENTS_CSV, [render_csv(statements)])
    write_jsonl(out_dir / layout.POSITIONS, position_rows)
    write_parquet(out_dir / layout.POSITIONS_PARQUET, position_rows, POSITION_SCHEMA)
    write_atomic(out_dir / layout.REPORT, [report])
    return report
