"""The run folder's package, ingest and the flows stay small enough to read (issue 20)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def test_no_module_of_the_run_path_exceeds_400_lines():
    modules = [
        p for folder in ("pipeline/runs", "pipeline/ingest", "flows") for p in (ROOT / folder).glob("*.py")
    ]
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert modules and {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
