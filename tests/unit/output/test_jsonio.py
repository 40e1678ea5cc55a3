import json

import pytest

from pipeline.output import ErrorRecord, dumps, write_jsonl


def _error(n: int) -> ErrorRecord:
    return ErrorRecord(source=f"in{n}.txt", error="empty", message="file is empty")


def test_dumps_is_compact_and_stable():
    record = _error(1)
    assert dumps(record) == dumps(ErrorRecord.model_validate_json(dumps(record)))
    assert dumps({"b": "é"}) == '{"b":"é"}'


def test_write_replaces_instead_of_appending(tmp_path):
    path = tmp_path / "errors.jsonl"
    write_jsonl(path, [_error(1), _error(2)])
    write_jsonl(path, [_error(3)])
    lines = path.read_text().splitlines()
    assert [json.loads(line)["source"] for line in lines] == ["in3.txt"]


def test_a_failure_mid_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "statements.jsonl"
    write_jsonl(path, [_error(1)])
    before = path.read_bytes()

    def records():
        yield _error(2)
        raise KeyboardInterrupt  # a killed run

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(path, records())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["statements.jsonl"]
