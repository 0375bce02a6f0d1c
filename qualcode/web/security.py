"""Who may talk to the workbench, and how.

- **Host**: without an access token the server answers only requests addressed to a
  loopback name (``127.0.0.1``, ``localhost``, ``[::1]``), so a web page elsewhere cannot
  reach it through a DNS name that it points at 127.0.0.1 (DNS rebinding).
- **Access token** (required when the server listens beyond loopback): every request must
  carry it, as ``?token=...`` once (the answer sets an HttpOnly cookie and sends the
  browser on without it in the address) or as that cookie; anything else gets 403.
- **Cross-site requests**: a state-changing request (anything but GET/HEAD) must come
  from the page itself: a browser's ``Origin`` (or ``Sec-Fetch-Site``) naming another
  site is refused, and the request must carry the session's CSRF token (the
  ``X-CSRF-Token`` header; the coder form, sent without script, carries it as a field and
  checks it itself).  The token is an HMAC of the session cookie under a secret that
  lives as long as the server.
- **Headers**: a Content-Security-Policy that allows scripts, styles and images from the
  workbench only (no inline script, no inline event handler: text from a transcript can
  never run), no framing, no referrer to other sites, and ``Cache-Control: no-store`` so confidential
  transcripts are not kept in the browser's cache.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE = "qc_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
#: POST routes that check the CSRF token themselves (a form field, not a header).
FORM_ROUTES = {"/coder"}
HEADERS = {
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
                                " object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
                                " form-action 'self'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def new_token() -> str:
    """A random access token (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def csrf_token(secret: bytes, session: str) -> str:
    return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, given: str | None) -> bool:
    """True when ``given`` is this session's CSRF token (set by :class:`Guard`)."""
    expected = getattr(request.state, "csrf", None)
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class Guard(BaseHTTPMiddleware):
    """The checks above, before any route runs; the headers on every answer."""

    def __init__(self, app, *, token: str | None, port_tag: str, secret: bytes):
        super().__init__(app)
        self.token = token
        self.secret = secret
        self.token_cookie = f"qc_token_{port_tag}"

    async def dispatch(self, request: Request, call_next) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return _with_headers(refused)
        if self.token and "token" in request.query_params:
            return _with_headers(self._enter_with_token(request))
        session = request.cookies.get(SESSION_COOKIE)
        fresh = not session or len(session) != 43
        request.state.session = secrets.token_urlsafe(32) if fresh else session
        request.state.csrf = csrf_token(self.secret, request.state.session)
        if request.method not in SAFE_METHODS and request.url.path not in FORM_ROUTES \
                and not csrf_ok(request, request.headers.get(CSRF_HEADER)):
            return _with_headers(PlainTextResponse("Refused: the request lacks this page's CSRF token "
                                                   "(reload the page).", status_code=403))
        response = await call_next(request)
        if fresh:
            response.set_cookie(SESSION_COOKIE, request.state.session, httponly=True, samesite="strict")
        return _with_headers(response)

    def _refusal(self, request: Request) -> Response | None:
        host = _hostname(request.headers.get("host", ""))
        if not self.token and not is_loopback(host):
            return PlainTextResponse(f"Refused: this workbench answers only at 127.0.0.1, not {host!r}.",
                                     status_code=400)
        if self.token and "token" not in request.query_params:
            given = request.cookies.get(self.token_cookie, "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return PlainTextResponse("Refused: this workbench needs its access token. Open the link "
                                         "that `qualcode serve` printed (it ends in ?token=...).",
                                         status_code=403)
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("origin")
            own = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if (origin is not None and origin != own) or \
                    request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
                return PlainTextResponse("Refused: a request from another site.", status_code=403)
        return None

    def _enter_with_token(self, request: Request) -> Response:
        given = request.query_params["token"]
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return PlainTextResponse("Refused: wrong access token.", status_code=403)
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(self.token_cookie, self.token, httponly=True, samesite="strict")
        return response


def _with_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not response.headers.get("cache-control"):
        response.headers["cache-control"] = "no-store"
    return response
