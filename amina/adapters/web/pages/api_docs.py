"""``/docs``: the OpenAPI document rendered by Swagger UI.

FastAPI's own page starts Swagger UI with an inline script, which the pages' policy forbids;
this one starts it from ``/static/api_docs.js``. Swagger UI itself comes from its CDN, as
before, so this page alone sends a policy that allows that one host (still no inline script,
no framing).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"

POLICY = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' {SWAGGER_UI}/",
        f"style-src 'self' {SWAGGER_UI}/",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Amina API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/api_docs.js"></script>
</body>
</html>
"""


@router.get("/docs", include_in_schema=False)
def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": POLICY})
