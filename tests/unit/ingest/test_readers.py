from pathlib import Path

import pytest

from pipeline.ingest import (
    IngestConfig,
    InputError,
    RawDocument,
    expand_inputs,
    parse_jsonl_line,
    read_documents,
)

CONFIG = IngestConfig()
GOOD = "Qatar offered to host talks between the two sides. Egypt endorsed the plan on Monday."


def _read_one(path: Path, config: IngestConfig = CONFIG):
    return list(read_documents(path, config))


def test_missing_path_and_unknown_extension_are_named(tmp_path):
    odd = tmp_path / "notes.docx"
    odd.write_text("text")
    files, problems = expand_inputs([str(tmp_path / "nope.txt"), str(odd)], CONFIG)
    assert files == []
    assert [(p.source, p.kind) for p in problems] == [
        (str(tmp_path / "nope.txt"), "missing"),
        (str(odd), "unsupported-type"),
    ]


def test_folders_and_globs_expand_sorted_and_skip_hidden(tmp_path):
    (tmp_path / "b.txt").write_text(GOOD)
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text(GOOD)
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    files, problems = expand_inputs([str(tmp_path), str(tmp_path / "*.txt")], CONFIG)
    assert [f.name for f in files] == ["a.md", "b.txt"]
    assert problems == []


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n")
    [problem] = _read_one(path)
    assert isinstance(problem, InputError) and problem.kind == "empty"
    assert str(path) in str(problem)


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    [problem] = _read_one(path)
    assert problem.kind == "binary"


def test_non_utf8_file_names_the_byte(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Ankara a déclaré qu'elle refusait.".encode("latin-1"))
    [problem] = _read_one(path)
    assert problem.kind == "not-utf8"
    assert "0xe9" in problem.message


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    [problem] = _read_one(path)
    assert problem.kind == "too-large"
    assert "52,428,800" in problem.message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode() + GOOD.encode())
    [document] = _read_one(path)
    assert isinstance(document, RawDocument) and document.text == GOOD


def test_jsonl_bad_lines_do_not_stop_good_ones(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"text": "' + GOOD + '", "title": "One", "url": "https://example.org/1"}\n'
        "{not json\n"
        '{"title": "no text"}\n'
        "[1, 2]\n"
        "\n"
        '{"text": "' + GOOD + ' Again.", "published": "2026-01-02"}\n',
        encoding="utf-8",
    )
    items = _read_one(path)
    kinds = [getattr(i, "kind", "ok") for i in items]
    assert kinds == ["ok", "malformed-json", "malformed-record", "malformed-record", "ok"]
    assert items[0].source == "https://example.org/1" and items[0].title == "One"
    assert items[1].source == f"{path}:2"
    assert items[4].source == f"{path}:6" and items[4].published == "2026-01-02"


@pytest.mark.parametrize("line", ['{"text": 5}', '{"text": "x", "title": 3}', "null"])
def test_parse_jsonl_line_rejects_wrong_types(line):
    with pytest.raises(InputError):
        parse_jsonl_line(line, "feed.jsonl:1")


def test_html_main_text_without_boilerplate(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Talks</title></head><body><nav><a href='/'>Home</a> <a>World</a></nav>"
        "<article><h1>Qatar offers talks</h1><p>" + GOOD + "</p><p>Turkey rejected the proposal on "
        "Tuesday, officials said, citing security concerns along the border.</p></article>"
        "<footer>Copyright 2026 Example News. Subscribe to our newsletter.</footer></body></html>",
        encoding="utf-8",
    )
    [document] = _read_one(path)
    assert document.format == "html"
    assert "Qatar offered to host talks" in document.text
    assert "Copyright" not in document.text and "Home" not in document.text


def test_input_errors_survive_pickling_for_the_task_cache_and_dask():
    import pickle

    from pipeline.ingest import InputError

    error = pickle.loads(pickle.dumps(InputError("feeds/a.xml", "malformed-feed", "not a feed")))
    assert (error.source, error.kind, error.message) == ("feeds/a.xml", "malformed-feed", "not a feed")
    assert str(error) == "feeds/a.xml: not a feed"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path, encoding):
    text = "Ankara a déclaré qu'elle refusait la demande de Moscou."
    path = tmp_path / "article.txt"
    data = text.encode(encoding)
    if not encoding.endswith(("16", "32")):  # the -be codecs write no mark: add it as editors do
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    [document] = _read_one(path)
    assert not isinstance(document, InputError), document
    assert document.text == text


def test_a_jsonl_text_that_is_not_a_string_is_named_as_such(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text('{"text": 42}\n{"title": "no text"}\n{"text": "  "}\n', encoding="utf-8")
    problems = _read_one(path)
    assert [p.message for p in problems] == [
        "the 'text' field must be a string, not int",
        "the 'text' field is missing",
        "the 'text' field is empty",
    ]


def test_html_nested_too_deep_is_flattened_or_refused_with_its_own_reason(tmp_path):
    body = (
        "<p>Ankara refused the request from Moscow on Monday, officials said in a statement.</p>"
        "<p>Oslo pledged air-defence batteries to Kyiv, the ministry said on Tuesday.</p>"
    )
    layout = tmp_path / "layout.html"
    layout.write_text(f"<html><body><article>{'<div>' * 400}{body}{'</div>' * 400}</article></body></html>")
    [document] = _read_one(layout)
    assert not isinstance(document, InputError), document
    assert "Oslo pledged" in document.text
    inline = tmp_path / "inline.html"
    inline.write_text(f"<html><body><article>{'<b>' * 400}{body}{'</b>' * 400}</article></body></html>")
    [problem] = _read_one(inline)
    assert problem.kind == "too-deep" and "nested 40" in problem.message


def test_unclosed_list_items_are_not_depth_and_flattened_blocks_stay_apart(tmp_path):
    from pipeline.ingest.html import nesting_depth

    assert nesting_depth("<select>" + "<option>x" * 300 + "</select>") == 2
    assert nesting_depth("<ul>" + "<li>a" * 300 + "</ul>") == 2
    body = (
        "<div><p>Ankara refused the request from Moscow on Monday, officials said.</p></div>"
        "<div>Oslo pledged air-defence batteries to Kyiv, the ministry said on Tuesday.</div>"
    )
    path = tmp_path / "deep.html"
    path.write_text(f"<html><body><article>{'<div>' * 300}{body}{'</div>' * 300}</article></body></html>")
    [document] = _read_one(path)
    assert "said.Oslo" not in document.text and "Oslo pledged" in document.text
