"""Security headers on every answer (docs/operations.md, "Security headers").

- ``Content-Security-Policy``: scripts, styles, images, fonts, connections and workers only
  from this origin; no inline script, no inline style, no plugins; forms post only here; no
  page may be framed (``frame-ancestors 'none'``). A route may send a policy of its own (the
  API documentation page, which loads Swagger UI from its CDN); it still forbids framing.
- ``Referrer-Policy: same-origin`` unless the route is stricter (the host verification and
  patent check pages, whose addresses carry a code, send ``no-referrer``);
  ``X-Content-Type-Options: nosniff``; ``X-Frame-Options: DENY`` for browsers without CSP 2.
- ``Cache-Control: no-store`` — nothing personal stays in a browser's or a proxy's cache:
  always on the person's and the staff's data (:data:`PERSONAL`, whatever the route said), and
  on every other answer that does not choose its own caching. Static files and the public,
  impersonal answers that choose (the app's shell and service worker, the region outline) keep
  their own.
- ``Strict-Transport-Security: max-age=31536000`` when the service's public address is HTTPS:
  a browser that has seen it once never talks to it over plain HTTP again.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Every page's policy. Pages keep their scripts and styles in /static (no nonces needed);
#: JSON data blocks (<script type="application/json">) are not scripts and are not affected.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

#: A PDF (slip, receipt, ticket) is shown by the browser's PDF viewer, which the page policy's
#: ``object-src 'none'`` would refuse: a PDF only forbids being framed.
PDF_POLICY = "frame-ancestors 'none'"

#: Paths (and everything below them) whose answers carry personal data or secrets: the
#: person's data and sign-in, location reports, staff pages and API, host verification, the
#: patent check, the development pages (sign-in codes) and the sandbox checkout.
PERSONAL = (
    "/api/v1/me",
    "/api/v1/auth",
    "/api/v1/reports",
    "/api/v1/staff",
    "/api/v1/verify",
    "/console",
    "/verify",
    "/patent/check",
    "/dev",
    "/sandbox",
)

STATIC = "/static/"

#: One year; no ``includeSubDomains``: the service does not speak for its parent domain's hosts.
STRICT_TRANSPORT = "max-age=31536000"


def is_personal(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PERSONAL)


class SecurityHeadersMiddleware:
    """Adds the headers above to each answer's start (pure ASGI: no body is touched)."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                _add_headers(headers, path)
                if self.https:
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_headers(headers: MutableHeaders, path: str) -> None:
    if "content-security-policy" not in headers:
        pdf = headers.get("content-type", "").startswith("application/pdf")
        headers["Content-Security-Policy"] = PDF_POLICY if pdf else CONTENT_SECURITY_POLICY
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    if path.startswith(STATIC):
        return
    if is_personal(path):
        headers["Cache-Control"] = "no-store"
    else:
        headers.setdefault("Cache-Control", "no-store")


def added_headers(path: str, *, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers :class:`SecurityHeadersMiddleware` adds, in its order, to an answer on
    ``path`` that carries none of them itself (a JSON answer or a problem document): the
    report route's plain ASGI path appends them as they are (amina.adapters.web.report_route)."""
    headers = MutableHeaders()
    _add_headers(headers, path)
    if https:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT
    return list(headers.raw)
