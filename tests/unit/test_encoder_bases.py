"""Encoder weights joined from their packages (pipeline/attribution/bases.py): a zip split over
parts is joined, checked against its SHA-256 and unpacked whole; a missing or damaged part is named."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from pipeline.attribution import bases
from pipeline.stance.errors import ModelError


def _split_zip(folder: Path, files: dict[str, bytes], pieces: int = 3) -> tuple[list[Path], str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{bases.MPNET_FOLDER}/{name}", data)
    whole = buffer.getvalue()
    size = len(whole) // pieces + 1
    parts = []
    for n in range(pieces):
        part = folder / f"model.zip.00{n + 1}"
        part.write_bytes(whole[n * size : (n + 1) * size])
        parts.append(part)
    return parts, hashlib.sha256(whole).hexdigest()


def test_parts_are_joined_checked_and_unpacked_once(tmp_path, monkeypatch):
    parts, digest = _split_zip(tmp_path, {"model.safetensors": b"w" * 5000, "config.json": b"{}"})
    monkeypatch.setattr(bases, "_part_files", lambda: parts)
    monkeypatch.setattr(bases, "MPNET_ZIP_SHA256", digest)
    cache = tmp_path / "cache"
    folder = bases.mpnet_dir(cache)
    assert (folder / "model.safetensors").read_bytes() == b"w" * 5000
    assert (folder / "config.json").read_bytes() == b"{}"
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no scratch folder left
    for part in parts:
        part.unlink()
    assert bases.mpnet_dir(cache) == folder  # found: the parts are not read again


def test_a_damaged_part_is_refused_and_nothing_is_unpacked(tmp_path, monkeypatch):
    parts, digest = _split_zip(tmp_path, {"model.safetensors": b"w" * 5000})
    parts[1].write_bytes(parts[1].read_bytes()[:-10])  # a truncated download
    monkeypatch.setattr(bases, "_part_files", lambda: parts)
    monkeypatch.setattr(bases, "MPNET_ZIP_SHA256", digest)
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="SHA-256") as caught:
        bases.mpnet_dir(cache)
    assert str(parts[1]) in str(caught.value)
    assert list((cache / "bases").iterdir()) == []


def test_a_missing_part_package_names_it_and_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(bases, "MPNET_PARTS", ("no-such-package-part-001",))
    with pytest.raises(ModelError, match="no-such-package-part-001") as caught:
        bases.mpnet_dir(tmp_path)
    assert "mpnet-parts.txt" in str(caught.value)


def test_an_unknown_encoder_is_refused(tmp_path):
    with pytest.raises(ModelError, match="unknown encoder"):
        bases.base_dir("someone/else", tmp_path)


@pytest.mark.integration
def test_the_installed_parts_join_into_the_published_weights(tmp_path):
    """The real packages (installed by `make install`): the zip's SHA-256 matches and its
    safetensors file is the published all-mpnet-base-v2 weights."""
    folder = bases.mpnet_dir(tmp_path)
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert digest == "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
    assert "apache-2.0" in (folder / "README.md").read_text(encoding="utf-8").lower()
