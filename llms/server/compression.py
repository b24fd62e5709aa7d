"""gzip for what a page loads (static files, pages, fragments, JSON) when the client accepts it.

A stream is never compressed: the compressor holds bytes back, and each server-sent event must reach the page
when it is written. Bodies under MIN_BYTES go as they are: gzip's header and the work cost more than they save.
"""

from __future__ import annotations

from aiohttp import hdrs, web

__all__ = ["compress_responses", "COMPRESSIBLE_TYPES"]

MIN_BYTES = 1024
PROXY_PREFIX = "/v1/"
COMPRESSIBLE_TYPES = frozenset({"text/html", "text/css", "text/javascript", "application/javascript",
                                "application/json", "image/svg+xml", "text/plain"})
# Static files get their type from the file name when they are sent, later than this middleware runs.
COMPRESSIBLE_SUFFIXES = (".js", ".mjs", ".css", ".html", ".json", ".svg", ".txt", ".map")
# A static file asked for on a condition (a browser revalidating its cached copy) or in part may be answered 304 or
# 206, decided when it is sent. aiohttp 3.14 still writes an empty gzip stream after a 304's headers, a body a 304
# must not have: the next answer on that keep-alive connection then starts with those 20 bytes, and Chromium fails
# it (net::ERR_INVALID_HTTP_RESPONSE: a module script or a fetch of a page opened a second time). Sent as is.
UNCOMPRESSED_FILE_ASKS = (hdrs.IF_NONE_MATCH, hdrs.IF_MODIFIED_SINCE, hdrs.IF_RANGE, hdrs.RANGE)


def _compressible(request: web.Request, response: web.StreamResponse) -> bool:
    if request.path.startswith(PROXY_PREFIX):
        return False  # a proxied answer goes to an SDK on this machine: gzip would only cost the proxy CPU
    if isinstance(response, web.FileResponse):
        conditional = any(name in request.headers for name in UNCOMPRESSED_FILE_ASKS)
        return request.path.endswith(COMPRESSIBLE_SUFFIXES) and not conditional
    if not isinstance(response, web.Response) or response.content_type not in COMPRESSIBLE_TYPES:
        return False
    return response.body is not None and len(response.body) >= MIN_BYTES


@web.middleware
async def compress_responses(request: web.Request, handler):
    response = await handler(request)
    if response.prepared or hdrs.CONTENT_ENCODING in response.headers or not _compressible(request, response):
        return response  # already sent (an event stream), already encoded, or not worth it
    response.headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)  # a cache must not give the gzip body to a client without it
    if "gzip" in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower():
        response.enable_compression(web.ContentCoding.gzip)
    return response
