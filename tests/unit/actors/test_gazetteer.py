import csv
from importlib import resources

import pytest

from pipeline.actors import ActorsConfig, GazetteerError, build_gazetteer, load_gazetteer

GAZETTEER = load_gazetteer(ActorsConfig().gazetteer_dir)


def test_every_un_member_is_known():
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text("utf-8")
    members = {row["ISO3"] for row in csv.DictReader(text.splitlines(), delimiter="\t") if row["UNmember"]}
    assert len(members) >= 193
    assert members <= set(GAZETTEER.states)


@pytest.mark.parametrize(
    "mention, name, code",
    [
        ("the Kremlin", "Russia", "RUS"),
        ("Moscow", "Russia", "RUS"),
        ("Washington", "United States", "USA"),
        ("the White House", "United States", "USA"),
        ("Pentagon", "United States", "USA"),
        ("Ankara", "Türkiye", "TUR"),
        ("Downing Street", "United Kingdom", "GBR"),
        ("Tehran", "Iran", "IRN"),
    ],
)
def test_metonyms_resolve_to_states(mention, name, code):
    entry = GAZETTEER.lookup(mention)
    assert (entry.name, entry.country_code, entry.type) == (name, code, "state")


def test_adjectives_organisations_and_titles():
    assert GAZETTEER.lookup_adjective("Russian").country_code == "RUS"
    nato = GAZETTEER.lookup("NATO")
    assert nato.type == "organization" and nato.wikidata == "Q7184"
    assert GAZETTEER.lookup("Brussels").name == GAZETTEER.lookup("European Union").name
    assert GAZETTEER.titles["deputy foreign minister"]


def test_wikidata_ids_are_well_formed_where_present():
    ids = [e.wikidata for e in GAZETTEER.names.values() if e.wikidata]
    assert ids and all(i.startswith("Q") and i[1:].isdigit() for i in ids)
    assert GAZETTEER.state("RUS").wikidata == "Q159"


def test_malformed_gazetteer_is_reported_with_file_and_line(tmp_path):
    (tmp_path / "countries.tsv").write_text(
        "iso3\tadjectives\tdemonyms\taliases\tmetonyms\twikidata\nru\tRussian\t\t\t\t\n", encoding="utf-8"
    )
    with pytest.raises(GazetteerError, match=r"countries.tsv:2"):
        build_gazetteer(tmp_path)
    with pytest.raises(GazetteerError, match="missing"):
        build_gazetteer(tmp_path / "nowhere")
