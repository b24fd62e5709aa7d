"""server/proxy.py json_bytes: compact UTF-8 JSON from orjson, and from `json` for what orjson refuses."""

from __future__ import annotations

import json

from llms.providers.transport import json_bytes


def test_answers_are_compact_utf8_json():
    payload = {"model": "m", "choices": [{"delta": {"content": "héllo ✓"}}], "usage": None, "cost": 0.1 + 0.2}
    assert json_bytes(payload) == '{"model":"m","choices":[{"delta":{"content":"héllo ✓"}}],"usage":null,' \
                                  '"cost":0.30000000000000004}'.encode()


def test_what_orjson_refuses_is_still_written():
    # A provider's "\ud800" escape parses to a lone surrogate, and JSON integers have no bound: both are valid JSON.
    payload = json.loads('{"content": "a\\ud800b", "seed": 123456789012345678901234567890}')
    written = json_bytes(payload)
    assert json.loads(written) == payload
    assert written == b'{"content":"a\\ud800b","seed":123456789012345678901234567890}'
