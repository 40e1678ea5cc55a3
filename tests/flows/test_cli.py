"""The `stance` command as a user runs it: help, exit statuses, stderr lines."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STANCE = [str(Path(sys.executable).parent / "stance")]


def _stance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STANCE, *args], capture_output=True, text=True, timeout=600)


def test_help_lists_every_command():
    result = _stance("--help")
    assert result.returncode == 0
    for command in ("run", "train", "train-attribution", "evaluate", "schema"):
        assert command in result.stdout
    assert "Exit status" in _stance("run", "--help").stdout
    # Rich would read the TOML table name as markup and print "the config file's []"
    assert "[[schedules]]" in _stance("serve", "--help").stdout


def test_usage_errors_exit_with_2(tmp_path):
    assert _stance("run").returncode == 2
    assert _stance("run", "x.txt").returncode == 2  # no --out
    file_out = tmp_path / "file"
    file_out.write_text("")
    assert _stance("run", "x.txt", "--out", str(file_out)).returncode == 2
    assert _stance("schema", "nonsense").returncode == 2


def test_schema_prints_json():
    result = _stance("schema", "article")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "ArticleRecord"


@pytest.mark.slow
@pytest.mark.integration
def test_some_inputs_failing_exits_1_and_names_them_on_stderr(tmp_path, samples_dir):
    out = tmp_path / "out"
    article = samples_dir / "01_black_sea_grain_talks.txt"
    result = _stance("run", str(article), str(tmp_path / "missing.txt"), "--out", str(out), "--quiet")
    assert result.returncode == 1, result.stderr
    assert f"error: {tmp_path / 'missing.txt'}: no such file or folder" in result.stderr
    assert len((out / "articles.jsonl").read_text().splitlines()) == 1
    good = _stance("run", str(article), "--out", str(tmp_path / "ok"))
    assert good.returncode == 0, good.stderr
    assert "top holders" in good.stdout


def test_invalid_settings_exit_2_naming_the_field(tmp_path):
    config = tmp_path / "stance.toml"
    config.write_text("[runner]\nworkers = 0\n")
    result = _stance("run", "x.txt", "--out", str(tmp_path / "out"), "--config", str(config))
    assert result.returncode == 2
    assert "runner.workers: Input should be greater than 0" in result.stderr
    assert "STANCE_RUNNER__WORKERS" in result.stderr
    assert _stance("run", "x.txt", "--out", str(tmp_path / "out"), "--runner", "spark").returncode == 2
    assert not (tmp_path / "out").exists()


def test_serve_without_schedules_is_a_usage_error(tmp_path):
    config = tmp_path / "stance.toml"
    config.write_text("articles_per_batch = 4\n")
    result = _stance("serve", "--config", str(config))
    assert result.returncode == 2
    assert "no [[schedules]]" in result.stderr


def _statement_line(n: int, holder: dict, stance: str, published: str | None) -> str:
    scores = dict.fromkeys(("support", "refusal", "mediation", "opposition", "neutral"), 0.05)
    scores[stance] = 0.8
    record = {
        "schema_version": "1.1", "statement_id": f"{n:016x}", "article_id": f"{n:016x}", "sentence_index": 0,
        "char_start": 0, "char_end": 4, "text": "Oslo", "holder": holder, "cue": "pledged", "stance": stance,
        "confidence": 0.8, "scores": scores, "model": "stance-test@1", "published": published,
    }  # fmt: skip
    return json.dumps(record) + "\n"


def test_positions_filters_by_date_holder_and_rolls_persons_up(tmp_path):
    russia = {"name": "Russia", "mention": "Moscow", "type": "state", "country_code": "RUS"}
    affiliation = {"name": "Russia", "type": "state", "country_code": "RUS", "id": "Q159"}
    lavrov = {"name": "Sergei Lavrov", "mention": "Lavrov", "type": "person", "affiliation": affiliation}
    (tmp_path / "statements.jsonl").write_text(
        _statement_line(1, russia, "refusal", "2026-01-10")
        + _statement_line(2, lavrov, "refusal", "2026-03-02T10:00:00Z")
        + _statement_line(3, russia, "support", None)
    )
    rows = [json.loads(x) for x in _stance("positions", str(tmp_path), "--json").stdout.splitlines()]
    assert {(r["holder"], r["stance"], r["statements"]) for r in rows} == {
        ("Russia", "refusal", 1), ("Sergei Lavrov", "refusal", 1), ("Russia", "support", 1)
    }  # fmt: skip
    rolled = _stance("positions", str(tmp_path), "--json", "--roll-up", "affiliation", "--stance", "refusal")
    assert [json.loads(x)["statements"] for x in rolled.stdout.splitlines()] == [2]
    since = _stance("positions", str(tmp_path), "--json", "--since", "1 March 2026", "--holder", "russia")
    assert [json.loads(x)["holder"] for x in since.stdout.splitlines()] == [
        "Sergei Lavrov"
    ]  # speaks for Russia
    table = _stance("positions", str(tmp_path))
    assert table.returncode == 0 and "Russia" in table.stdout
    assert _stance("positions", str(tmp_path), "--since", "someday").returncode == 2
    assert _stance("positions", str(tmp_path / "nowhere")).returncode == 2


@pytest.mark.slow
@pytest.mark.integration
def test_control_characters_in_input_names_cannot_forge_lines(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    forged = inbox / "a\nerror: forged line \x1b[31mred.txt"
    forged.write_text("")  # empty: an error line that names it
    result = _stance("run", str(inbox), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith("error: forged")]
    assert "\x1b" not in result.stderr
    assert any("a\\nerror: forged line \\x1b[31mred.txt: file is empty" in line for line in lines)
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert errors[0]["source"] == str(forged)  # the record keeps the real name


def test_visible_escapes_every_control_character():
    from pipeline.errors import visible

    assert visible("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert visible("\x1b[31m\x00\x7f\u202e\u2028") == "\\x1b[31m\\x00\\x7f\\u202e\\u2028"
    assert visible("Ankara – Türkiye «ok»") == "Ankara – Türkiye «ok»"


@pytest.mark.slow
@pytest.mark.integration
def test_quiet_runs_print_no_info_lines_and_fatal_errors_exit_3_without_traceback(tmp_path, samples_dir):
    article = samples_dir / "01_black_sea_grain_talks.txt"
    out = tmp_path / "out"
    quiet = _stance("run", str(article), "--out", str(out), "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert not [line for line in quiet.stderr.splitlines() if "| INFO" in line], quiet.stderr
    assert quiet.stdout == ""
    (out / "state.sqlite").write_bytes(b"this is not a database" * 100)  # a corrupt state store
    broken = _stance("run", str(article), "--out", str(out), "-q")
    assert broken.returncode == 3
    assert "Traceback" not in broken.stderr
    lines = [line for line in broken.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "state.sqlite" in lines[0] and "cannot use the state store" in lines[0]
    debug = _stance("run", str(article), "--out", str(out), "-q", "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_a_fatal_os_error_is_one_line_with_a_hint(tmp_path):
    import errno

    from stance_cli.main import _fatal_message

    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "statements.jsonl"))
    message = _fatal_message(full, tmp_path)
    assert message.startswith(f"{tmp_path / 'statements.jsonl'}: No space left on device; free some space")
    assert "\n" not in message
    read_only = _fatal_message(OSError(errno.EROFS, "Read-only file system", "/mnt/x\nforged"), tmp_path)
    assert "read-only" in read_only and "\\nforged" in read_only


@pytest.mark.slow
@pytest.mark.integration
def test_a_rerun_with_nothing_new_says_so_and_starts_no_flow(tmp_path, samples_dir):
    out = tmp_path / "out"
    article = str(samples_dir / "01_black_sea_grain_talks.txt")
    assert _stance("run", article, "--out", str(out), "-q").returncode == 0
    statements = (out / "statements.jsonl").read_bytes()
    again = _stance("run", article, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "nothing new to do: 1 articles already done by" in again.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runner"]["kind"] == "none" and manifest["counts"]["articles_unchanged"] == 1
    assert (out / "statements.jsonl").read_bytes() == statements
    # an input that fails is still reported, with exit status 1, and nothing else runs
    failing = _stance("run", article, str(tmp_path / "missing.txt"), "--out", str(out), "-q")
    assert failing.returncode == 1
    assert f"error: {tmp_path / 'missing.txt'}: no such file or folder" in failing.stderr
    assert json.loads((out / "manifest.json").read_text())["runner"]["kind"] == "none"


@pytest.mark.slow
def test_dask_address_without_a_prefect_api_warns(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "2s"  # nothing listens there: fail fast
    (tmp_path / "a.txt").write_text("Qatar offered to host talks between the two sides.")
    where = ["--out", str(tmp_path / "out"), "-q", "--dask-address", "tcp://127.0.0.1:9"]
    result = subprocess.run(
        [*STANCE, "run", str(tmp_path / "a.txt"), *where],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode != 0
    assert "warning: --dask-address without PREFECT_API_URL" in result.stderr
