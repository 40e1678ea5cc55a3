"""Fixtures for the review app: a hand-built run folder and a test client over it."""

import random
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from tests.review.builders import write_big_run, write_run

SCREENSHOTS_KEY = pytest.StashKey[Path]()
BASE_URL = "http://127.0.0.1:8765"
FETCH_HEADERS = {"X-Requested-With": "fetch"}


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run")


@pytest.fixture
def app(run_dir: Path):
    return create_app(run_dir, reviewer="tester")


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def big_run_dir(tmp_path: Path) -> Path:
    return write_big_run(tmp_path / "big-run")


@pytest.fixture
def big_app(big_run_dir: Path):
    return create_app(big_run_dir, reviewer="tester")


@pytest.fixture
def big_client(big_app) -> TestClient:
    with TestClient(big_app, base_url=BASE_URL) as test_client:
        yield test_client


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get("/statements")
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text).group(1)


def statement_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="s-([0-9a-f]{16})"', html)


def without_tags(html: str) -> str:
    """The page's text with its tags removed (marks inside the evidence split it up)."""
    return re.sub(r"<[^>]+>", "", html)


FUZZ_ALPHABET = [
    *("", "0", "1", "²", "①", "-", "%", "'", '"', "<b>", "\x00", "é", "9" * 400, "true", "..", "/"),
    *("2026-01-02", "2026-02-30", "0001-01-01", "9999-12-31", "２０２６", "T12:00", "W01", "affiliation"),
]
FUZZ_NAMES = [
    *("page", "stance", "status", "holder", "q", "article", "sort", "reviewer", "since"),
    *("from", "to", "group", "speaks_for", "target", "min_conf", "max_conf"),
]


def fuzz_query_parameters(client, seed: int, rounds: int) -> None:
    """Random values, odd characters and dates among them, for every query parameter the pages
    read (and a few they do not): no answer is a 5xx, and /holders always falls back to a page."""
    rng = random.Random(seed)
    for _ in range(rounds):
        params = {
            rng.choice(FUZZ_NAMES): "".join(rng.choices(FUZZ_ALPHABET, k=rng.randint(0, 4))) for _ in range(3)
        }
        for path in ("/statements", "/articles", "/export", "/holders"):
            response = client.get(path, params=params)
            assert response.status_code < 500, (path, params)
            if path == "/holders" and "holder" not in params:
                assert response.status_code == 200, params  # a bad value falls back, never an error


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say where the browser tests left their screenshots."""
    folder = config.stash.get(SCREENSHOTS_KEY, None)
    if folder is not None:
        terminalreporter.write_line(f"review app screenshots: {folder}")
