"""Files a page or the API gives to save (letters, reports, certificates, exports): every
domain's downloads carry the same headers, so none is ever shown inline as a page of this
site."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

# A downloaded file is never rendered as a page of this site: no scripts, no plugins, no
# same-origin access even if a browser were persuaded to show it.
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def download_response(filename: str, media_type: str, data: bytes) -> Response:
    """A file to save, never shown inline: a letter or attachment is not a web page."""
    fallback = (
        filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    )
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "no-store",
        },
    )
