"""Find input files and read them into raw documents, one clear error per bad input."""

import codecs
import glob
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.ingest.config import IngestConfig
from pipeline.ingest.document import RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.html import extract_html

GLOB_CHARACTERS = frozenset("*?[")
BINARY_SNIFF_BYTES = 8192


def is_url(value: str) -> bool:
    """True for an http:// or https:// URL with a host; such an input is fetched, not opened."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def split_inputs(inputs: Sequence[str]) -> tuple[list[str], list[str]]:
    """Separate local inputs (files, folders, globs) from HTTP(S) URLs, keeping each list's order.

    Pass the first list to :func:`expand_inputs` and the second to
    :func:`pipeline.ingest.fetch.fetch_documents`.
    """
    files: list[str] = []
    urls: list[str] = []
    for raw in inputs:
        (urls if is_url(raw) else files).append(raw)
    return files, urls


def expand_inputs(inputs: Sequence[str], config: IngestConfig) -> tuple[list[Path], list[InputError]]:
    """Turn files, folders and globs into a sorted, de-duplicated list of files to read.

    A missing path or a file with an unsupported suffix named explicitly is an error;
    files of other kinds found while walking a folder are skipped quietly, as a shell would.
    """
    files: list[Path] = []
    problems: list[InputError] = []
    for raw in inputs:
        if any(char in GLOB_CHARACTERS for char in raw):
            matches = sorted(Path(p) for p in glob.glob(raw, recursive=True))
            found = [p for p in matches if p.is_file() and p.suffix.lower() in config.suffixes]
            if not found:
                problems.append(InputError(raw, "no-match", "the pattern matched no readable file"))
            files.extend(found)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in config.suffixes
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(InputError(raw, "empty-folder", "the folder holds no readable file"))
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in config.suffixes:
                problems.append(
                    InputError(
                        raw,
                        "unsupported-type",
                        f"unsupported file type '{path.suffix or '(none)'}'; "
                        f"expected one of {', '.join(config.suffixes)}",
                    )
                )
            else:
                files.append(path)
        elif path.exists():
            problems.append(InputError(raw, "not-a-file", "not a regular file or folder"))
        else:
            problems.append(InputError(raw, "missing", "no such file or folder"))
    unique = list(dict.fromkeys(files))
    return unique, problems


# longest first: the UTF-32 little-endian mark begins with the UTF-16 one
UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def read_text_file(path: Path, config: IngestConfig) -> str:
    """Read a file as UTF-8 (or UTF-16/32 with a byte-order mark), refusing what is too large,
    empty, binary or mis-encoded."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > config.max_input_bytes:
            raise InputError(
                source,
                "too-large",
                f"file is {size:,} bytes, over the limit of {config.max_input_bytes:,} "
                "(raise STANCE_INGEST__MAX_INPUT_BYTES to allow it)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, "unreadable", f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise InputError(source, "empty", "file is empty")
    bom = next((name for mark, name in UNICODE_BOMS if data.startswith(mark)), None)
    if bom is not None:  # UTF-16 and UTF-32 hold NUL bytes: their byte-order mark says what they are
        text = _decode_or_none(data, bom)
        # real text has white space and no NULs; bytes that merely start like a mark do not
        if text is not None and "\x00" not in text and any(c.isspace() for c in text):
            if not text.strip():
                raise InputError(source, "empty", "file is empty")
            return text
        # not valid text in the encoding its first bytes suggest: judged as any other file below
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(source, "binary", "file looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            "not-utf8",
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first",
        ) from exc


def read_documents(path: Path, config: IngestConfig) -> Iterator[RawDocument | InputError]:
    """Yield the raw documents in one file, or an error for the file or for each bad line."""
    try:
        text = read_text_file(path, config)
    except InputError as exc:
        yield exc
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_documents(path, text)
    elif suffix in (".html", ".htm"):
        yield _html_document(path, text)
    elif suffix in (".md", ".markdown"):
        yield RawDocument(source=str(path), text=text, format="markdown")
    else:
        yield RawDocument(source=str(path), text=text, format="text")


def _jsonl_documents(path: Path, text: str) -> Iterator[RawDocument | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            yield parse_jsonl_line(line, source)
        except InputError as exc:
            yield exc


def parse_jsonl_line(line: str, source: str) -> RawDocument:
    """One JSONL article: an object with ``text`` and optional ``title``, ``url``, ``published``
    and ``speaker`` (the actor a speech or statement speaks for: 'we' resolves to it)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, "malformed-json", f"malformed JSON ({exc.msg} at column {exc.colno})"
        ) from exc
    if not isinstance(obj, dict):
        raise InputError(source, "malformed-record", "expected a JSON object with a 'text' field")
    text = obj.get("text")
    if "text" not in obj or text is None:
        raise InputError(source, "malformed-record", "the 'text' field is missing")
    if not isinstance(text, str):
        kind = type(text).__name__.replace("dict", "object").replace("list", "array")
        raise InputError(source, "malformed-record", f"the 'text' field must be a string, not {kind}")
    if not text.strip():
        raise InputError(source, "malformed-record", "the 'text' field is empty")
    for key in ("title", "url", "published", "speaker"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(source, "malformed-record", f"the '{key}' field must be a string")
    url = obj.get("url")
    return RawDocument(
        source=url or source,
        text=text,
        format="text",
        title=obj.get("title"),
        published=obj.get("published"),
        speaker=obj.get("speaker"),
    )


def _html_document(path: Path, html: str) -> RawDocument | InputError:
    try:
        return extract_html(html, source=str(path))
    except InputError as exc:
        return exc
