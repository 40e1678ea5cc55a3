"""The output folder's file names are spelled out in one module outside the tests: the layout."""

import ast
from pathlib import Path

from pipeline.output import derived
from pipeline.runs import layout

ROOT = Path(__file__).resolve().parents[3]
SOURCE_FOLDERS = ("pipeline", "flows", "stance_cli", "review", "benchmarks", "scripts")
# the Guardian corpus's own articles.jsonl: an input that happens to share the name of an output
SAME_NAME_OTHER_FILE = {
    ("pipeline/evaluate/guardian.py", layout.ARTICLES),
}


def _literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_each_output_file_name_is_a_literal_in_the_layout_only():
    names = {*layout.OUTPUT_FILES.values(), layout.STATE_FILE}
    spelled: dict[str, list[str]] = {name: [] for name in names}
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            for value in _literals(path):
                for name in names:
                    if (value == name or value.endswith("/" + name)) and (
                        module,
                        name,
                    ) not in SAME_NAME_OTHER_FILE:
                        spelled[name].append(module)
    assert spelled == {name: ["pipeline/runs/layout.py"] for name in names}


def test_the_layout_names_every_derived_file_the_writer_builds(tmp_path):
    (tmp_path / layout.ARTICLES).write_text("")
    (tmp_path / layout.STATEMENTS).write_text("")
    derived.write_derived(tmp_path, errors=0)
    written = {path.name for path in tmp_path.iterdir()} - set(layout.RECORD_FILES)
    assert written == set(layout.DERIVED_FILES.values())
