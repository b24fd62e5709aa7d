"""The first load is sent gzip-compressed when the browser accepts it: static files, the page, fragments, JSON;
never an event stream, never to a client that does not accept gzip."""

from __future__ import annotations

import gzip
import http.client
import json
import urllib.request

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def fetch(url: str, headers: dict | None = None, data: bytes | None = None) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    with urllib.request.urlopen(request, timeout=30) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_static_files_and_pages_are_gzipped_for_a_browser_that_accepts_it_and_decode_to_the_same_bytes(llms_server):
    for path in ("/static/js/rules/record.js", "/static/css/app.css", "/", "/providers", "/api/config"):
        plain_headers, plain = fetch(llms_server.url + path)
        headers, body = fetch(llms_server.url + path, GZIP)
        assert "content-encoding" not in plain_headers, path
        assert headers["content-encoding"] == "gzip", path
        assert "Accept-Encoding" in headers["vary"], path
        assert gzip.decompress(body) == plain, path
        assert len(body) < len(plain) / 2, path


def test_a_streamed_answer_is_never_compressed_and_a_small_body_goes_as_it_is(llms_server):
    body = json.dumps({"model": "mock-model", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
    headers, stream = fetch(llms_server.url + "/v1/chat/completions", GZIP | {"Content-Type": "application/json"}, body)
    assert "content-encoding" not in headers
    assert stream.rstrip().endswith(b"data: [DONE]")
    headers, small = fetch(llms_server.url + "/health", GZIP)
    assert len(small) < 1024 and "content-encoding" not in headers  # gzip would not pay
    headers, fragment = fetch(llms_server.url + "/fragments/models", GZIP)
    assert headers["content-encoding"] == "gzip" and b"<select" in gzip.decompress(fragment)


def test_a_revalidated_static_file_is_a_bare_304_and_the_next_answer_on_the_connection_reads_whole(llms_server):
    connection = http.client.HTTPConnection("127.0.0.1", llms_server.port, timeout=30)
    try:
        connection.request("GET", "/static/js/rules/record.js", headers=GZIP)
        first = connection.getresponse()
        first.read()
        connection.request("GET", "/static/js/rules/record.js", headers=GZIP | {"If-None-Match": first.headers["ETag"]})
        revalidated = connection.getresponse()
        assert (revalidated.status, revalidated.read()) == (304, b"")
        assert revalidated.headers["Content-Encoding"] is None
        # A body after the 304's headers (aiohttp wrote an empty gzip stream) would be read as this answer's status line.
        connection.request("GET", "/static/css/app.css", headers=GZIP)
        after = connection.getresponse()
        assert (after.status, gzip.decompress(after.read())) == (200, fetch(llms_server.url + "/static/css/app.css")[1])
    finally:
        connection.close()
