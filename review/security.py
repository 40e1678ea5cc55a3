"""Who may use the app and from where: access token, CSRF tokens, Host check, response headers.

- Bound to a loopback address the app needs no token, but answers only requests whose Host
  is a loopback name (so a web page cannot reach it through DNS rebinding).
- Bound to any other address it refuses to start without a token; every request must carry
  it (header ``X-Review-Token`` or ``Authorization: Bearer``, or the cookie set after a first
  visit to ``/?token=...``).
- Every state-changing request carries a CSRF token derived from the browser's session
  cookie (SameSite=Strict, HttpOnly), and is refused when its Origin is another site.
"""

import hashlib
import hmac
import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from review.errors import ReviewError

TOKEN_ENV = "STANCE_REVIEW_TOKEN"
TOKEN_COOKIE = "stance_review_token"
SESSION_COOKIE = "stance_review_session"
REVIEWER_COOKIE = "stance_review_reviewer"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
TOKEN_HEADER = "x-review-token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIN_TOKEN_LENGTH = 16
REVIEWER_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token that is hard to guess."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ReviewError(f"the review token must be at least {MIN_TOKEN_LENGTH} characters long")
    if not is_loopback(host) and not token:
        raise ReviewError(
            f"binding to {host} makes the app reachable from other machines: give a token with "
            f"--token or {TOKEN_ENV} "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe())')"
        )


HOST_RE = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9.-]+))(?::[0-9]{1,5})?")


def host_name(host_header: str) -> str:
    """The name in a Host header, without the port ('[::1]:8765' -> '::1'); '' for anything that
    is not exactly a host and an optional port ('localhost:1@evil.com', '[::1]evil.com')."""
    match = HOST_RE.fullmatch(host_header.strip().lower())
    if match is None:
        return ""
    return match.group("ipv6") or match.group("name")


def token_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def new_session() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: bytes, session: str) -> str:
    return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, session: str | None, given: str | None) -> bool:
    return bool(session) and bool(given) and hmac.compare_digest(csrf_token(secret, session), given)


def same_origin(origin: str | None, host_header: str) -> bool:
    """No Origin (same-origin GET forms in some browsers) passes; otherwise it must be this host."""
    if not origin:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == host_header.strip().lower()


def safe_next(target: str | None, default: str = "/statements") -> str:
    """A redirect target that stays on this site: a path, never '//host' or a scheme."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t") or urlsplit(target).netloc:
        return default
    return target


def valid_reviewer(name: str) -> str:
    name = name.strip()
    if not REVIEWER_RE.match(name):
        raise ReviewError("a reviewer name is 1 to 64 printable characters")
    return name
