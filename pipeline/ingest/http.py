"""HTTP for the fetcher: one httpx client shared by worker threads, with retries (tenacity),
timeouts, a size cap enforced while streaming, concurrency limits overall and per host, and no
requests to non-public addresses (checked for every redirect hop) unless the settings allow them.
"""

import email.utils
import ipaddress
import itertools
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from pipeline.ingest.config import FetchConfig
from pipeline.ingest.errors import InputError
from pipeline.ingest.readers import is_url

log = logging.getLogger(__name__)

ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8, application/x-ndjson;q=0.8, */*;q=0.1"
)
RETRY_STATUSES = frozenset({408, 429})
MAX_BACKOFF_S = 60.0
R = TypeVar("R")


@dataclass(frozen=True)
class Response:
    """A complete, size-checked HTTP response."""

    url: str  # the final URL, after redirects
    content_type: str  # the media type, lowercased, without parameters ('' when absent)
    charset: str | None
    body: bytes


class _Backoff(wait_exponential):
    """The exponential step (``backoff_s`` doubled each retry, capped) with jitter, 50% to 150%
    of the step, and at least what the server's Retry-After asks for."""

    def __call__(self, retry_state: RetryCallState) -> float:
        step = super().__call__(retry_state) * (0.5 + random.random())
        retry_after = getattr(retry_state.outcome.exception(), "retry_after", None)
        return max(step, retry_after or 0.0)


class _Retryable(Exception):
    """A failed attempt worth repeating: a timeout, a dropped connection, 408, 429 or 5xx."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


class Fetcher:
    """One HTTP client shared by worker threads, with a global and a per-host concurrency limit."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self._client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept": ACCEPT},
            timeout=httpx.Timeout(config.timeout_s, pool=None),
            follow_redirects=False,  # followed here, so each hop counts against its own host's limit
            limits=httpx.Limits(
                max_connections=config.max_concurrency, max_keepalive_connections=config.max_concurrency
            ),
        )
        self._slots = threading.BoundedSemaphore(config.max_concurrency)
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = _host(url)
        with self._lock:
            host_slot = self._host_slots.get(host)
            if host_slot is None:
                host_slot = threading.BoundedSemaphore(self.config.max_concurrency_per_host)
                self._host_slots[host] = host_slot
        # always the host first, then the global slot: no two threads can wait on each other
        with host_slot, self._slots:
            yield

    def get(self, url: str) -> Response:
        """GET one URL with retries (tenacity); raise :class:`InputError` (source ``url``) when it
        fails. Timeouts, dropped connections, 408, 429 and 5xx are retried with exponential
        backoff and jitter, waiting at least what a Retry-After asks for; a Retry-After over the
        limit ends the retries at once."""
        attempts = self.config.retries + 1
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(attempts) | self._asks_too_long,
            wait=_Backoff(multiplier=self.config.backoff_s, max=MAX_BACKOFF_S),
            before_sleep=lambda state: log.info(
                "%s: %s; attempt %d of %d, retrying in %.2f s",
                url,
                state.outcome.exception().message,
                state.attempt_number,
                attempts,
                state.upcoming_sleep,
            ),
            reraise=True,
        )
        try:
            return retrying(self._follow, url)
        except _Retryable as failure:
            if retrying.statistics["attempt_number"] < attempts:  # stopped by a long Retry-After
                raise InputError(
                    url,
                    failure.kind,
                    f"{failure.message}; the server asked to retry after {failure.retry_after:g} s, "
                    f"over the limit of {self.config.max_retry_after_s:g} s "
                    "(STANCE_INGEST__FETCH__MAX_RETRY_AFTER_S)",
                ) from None
            suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
            raise InputError(url, failure.kind, failure.message + suffix) from None

    def _asks_too_long(self, state: RetryCallState) -> bool:
        failure = state.outcome.exception() if state.outcome is not None else None
        retry_after = getattr(failure, "retry_after", None)
        return retry_after is not None and retry_after > self.config.max_retry_after_s

    def _follow(self, url: str) -> Response:
        current = url
        for _ in range(self.config.max_redirects + 1):
            outcome = self._attempt(current, url)
            if isinstance(outcome, Response):
                return outcome
            status, location = outcome
            target = urljoin(current, location)
            if not self.config.follow_redirects:
                raise InputError(
                    url, "http-error", f"HTTP {status} redirect to {target} (following redirects is off)"
                )
            if not is_url(target):
                raise InputError(url, "bad-redirect", f"HTTP {status} redirect to a non-HTTP(S) URL {target}")
            current = target
        raise InputError(url, "too-many-redirects", f"more than {self.config.max_redirects} redirects")

    def _attempt(self, url: str, source: str) -> Response | tuple[int, str]:
        """One request: a complete response, a redirect (status, location), or an exception."""
        config = self.config
        if not config.allow_private_addresses:
            _refuse_non_public(url, source)
        with self._slot(url):
            started = time.monotonic()
            try:
                with self._client.stream("GET", url) as response:
                    status = response.status_code
                    if response.is_redirect:
                        return status, response.headers["location"]
                    if status >= 400:
                        message = f"HTTP {status} {response.reason_phrase}".rstrip()
                        if status in RETRY_STATUSES or status >= 500:
                            raise _Retryable(
                                "http-error", message, _retry_after(response.headers.get("retry-after"))
                            )
                        raise InputError(source, "http-error", message)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > config.max_response_bytes:
                        raise InputError(
                            source,
                            "too-large",
                            f"response declares {int(declared):,} bytes, over the limit of "
                            f"{config.max_response_bytes:,} (STANCE_INGEST__FETCH__MAX_RESPONSE_BYTES)",
                        )
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > config.max_response_bytes:
                            raise InputError(
                                source,
                                "too-large",
                                f"response is over the limit of {config.max_response_bytes:,} bytes "
                                "(stopped reading; STANCE_INGEST__FETCH__MAX_RESPONSE_BYTES)",
                            )
                        if time.monotonic() - started > config.total_timeout_s:
                            raise _Retryable(
                                "timeout", f"response not complete within {config.total_timeout_s:g} s"
                            )
                        chunks.append(chunk)
                    mime, charset = _content_type(response.headers.get("content-type", ""))
                    return Response(str(response.url), mime, charset, b"".join(chunks))
            except httpx.UnsupportedProtocol as exc:
                raise InputError(source, "bad-url", f"cannot fetch this URL ({exc})") from exc
            except httpx.TimeoutException as exc:
                phase = "connect" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) else "response"
                raise _Retryable("timeout", f"no {phase} within {config.timeout_s:g} s") from exc
            except httpx.TransportError as exc:
                raise _Retryable(
                    "connection-error", f"connection failed ({exc or type(exc).__name__})"
                ) from exc
            except httpx.DecodingError as exc:
                raise InputError(source, "bad-encoding", f"cannot decode the response body ({exc})") from exc
            except httpx.InvalidURL as exc:
                raise InputError(source, "bad-url", f"invalid URL ({exc})") from exc

    def map(self, function: Callable[[str], R], urls: Sequence[str]) -> list[R]:
        """``function`` over ``urls`` on worker threads; results in the order of ``urls``.

        Work is started host by host in turn, so that many URLs on one host (a feed's entries)
        do not hold every worker waiting for that host's slots while other hosts wait too.
        """
        if not urls:
            return []
        by_host: dict[str, list[int]] = {}
        for index, url in enumerate(urls):
            by_host.setdefault(_host(url), []).append(index)
        order = [
            index
            for round_ in itertools.zip_longest(*by_host.values())
            for index in round_
            if index is not None
        ]
        workers = min(self.config.max_concurrency, len(urls))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stance-fetch") as pool:
            futures = {index: pool.submit(function, urls[index]) for index in order}
            return [futures[index].result() for index in range(len(urls))]


def _refuse_non_public(url: str, source: str) -> None:
    """Raise ``blocked-address`` when the URL's host is, or resolves to, an address that is not
    public (loopback, private, link-local, reserved, multicast, unspecified). A host that does
    not resolve is left to the request, which reports it as a connection error."""
    host = _host(url)
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            where = "" if url == source else f" (redirected to {url})"
            raise InputError(
                source,
                "blocked-address",
                f"{host} resolves to the non-public address {address}{where}; refused "
                "(STANCE_INGEST__FETCH__ALLOW_PRIVATE_ADDRESSES=true allows it)",
            )


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _content_type(header: str) -> tuple[str, str | None]:
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
