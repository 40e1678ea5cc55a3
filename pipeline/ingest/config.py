from pydantic import BaseModel, ConfigDict, Field

from pipeline import __version__

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")

DEFAULT_USER_AGENT = f"stance-pipeline/{__version__} (+https://github.com/stance-pipeline; research use)"


class FetchConfig(BaseModel):
    """How HTTP(S) URLs and RSS/Atom feeds are fetched: limits, retries and politeness."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(
        default=20.0,
        gt=0,
        description="Seconds allowed to connect, and to wait for each read of the response.",
    )
    total_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="Seconds one attempt may take in all, body included (stops slow-drip responses).",
    )
    retries: int = Field(
        default=3,
        ge=0,
        description="Retries after the first attempt on timeouts, connection errors, 408, 429 and 5xx.",
    )
    backoff_s: float = Field(
        default=0.5,
        ge=0,
        description="Base of the exponential backoff between attempts (doubled each retry, with jitter).",
    )
    max_retry_after_s: float = Field(
        default=60.0,
        ge=0,
        description="Longest Retry-After a server may ask for; a longer one ends the retries with an error.",
    )
    max_response_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="Responses larger than this many bytes are refused (checked while streaming).",
    )
    max_concurrency: int = Field(default=16, gt=0, description="Requests in flight at once, in all.")
    max_concurrency_per_host: int = Field(
        default=4, gt=0, description="Requests in flight at once to one host."
    )
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT,
        min_length=1,
        description="The User-Agent header sent with every request; it names the project and version.",
    )
    follow_redirects: bool = Field(default=True, description="Follow HTTP redirects.")
    allow_private_addresses: bool = Field(
        default=False,
        description="Fetch hosts that resolve to loopback, private, link-local or other non-public "
        "addresses. Off by default, so a feed or a redirect cannot point the fetcher at internal "
        "services (SSRF); turn on to fetch from an intranet.",
    )
    max_redirects: int = Field(default=10, ge=0, description="Redirects followed for one request.")
    max_feed_items: int = Field(
        default=200, gt=0, description="Entries read from one RSS/Atom feed; later ones are ignored."
    )
    min_entry_content_chars: int = Field(
        default=500,
        ge=0,
        description="A feed entry whose own content has at least this many characters of text is used "
        "as is; a shorter one (a teaser) is replaced by the page it links to.",
    )
    cache_minutes: int = Field(
        default=5,
        ge=0,
        description="A flow run that fetches the same URLs with the same settings within this many "
        "minutes reuses the fetched documents (Prefect task cache); 0 always fetches.",
    )


class IngestConfig(BaseModel):
    """How inputs are found and read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_input_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="Inputs larger than this many bytes are refused with an error.",
    )
    max_article_chars: int = Field(
        default=1_000_000,
        gt=0,
        description="One article's cleaned text may not exceed this many characters.",
    )
    min_article_chars: int = Field(
        default=20, ge=1, description="Articles shorter than this are refused as empty."
    )
    suffixes: tuple[str, ...] = Field(
        default=SUPPORTED_SUFFIXES, description="File suffixes read when walking folders."
    )
    fetch: FetchConfig = Field(
        default_factory=FetchConfig, description="Fetching HTTP(S) URLs and RSS/Atom feeds."
    )
