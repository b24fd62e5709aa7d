import json

import pytest

from llms.providers.base import ProviderError, Target
from llms.providers.responses_openai import ResponsesPassThrough, normalize_usage
from tests.mock_provider import Reply, completion_body, stream_events

TARGET = Target("openai", "https://api.openai.com/v1", "sk-ours", "gpt-5-mini", {"X-Extra": "1"})
USAGE = {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1000}, "output_tokens": 340,
         "output_tokens_details": {"reasoning_tokens": 120}, "total_tokens": 1540}
CALL = {"id": "call_1", "name": "w", "arguments": {"c": "Oslo"}}


def test_the_body_goes_to_responses_unchanged_but_the_model_with_our_key():
    body = {"model": "mini", "input": [{"role": "user", "content": "Hi"}], "store": False, "previous_response_id": "r"}
    request = ResponsesPassThrough().build_request(TARGET, body, stream=False)
    assert request.url == "https://api.openai.com/v1/responses"
    assert request.json == {**body, "model": "gpt-5-mini"}
    assert request.headers == {"X-Extra": "1", "Content-Type": "application/json", "Authorization": "Bearer sk-ours"}


def test_usage_in_responses_shape_is_normalized():
    assert normalize_usage(USAGE) == {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
                                      "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
                                      "completion_tokens_details": {"reasoning_tokens": 120}}
    assert normalize_usage(None) is None


def test_a_reply_comes_back_as_sent_with_what_it_means_for_the_record():
    reply = completion_body("responses", "m", Reply(text="Hi there", reasoning="Hm.", tool_calls=[CALL],
                                                    usage={"responses": USAGE}))
    parsed = ResponsesPassThrough().parse_completion(reply, "mini")
    assert parsed["body"] is reply
    message = parsed["completion"]["choices"][0]["message"]
    assert (message["content"], message["reasoning_content"]) == ("Hi there", "Hm.")
    assert message["tool_calls"][0]["id"] == "call_1" and json.loads(message["tool_calls"][0]["function"]["arguments"]) \
        == CALL["arguments"]
    assert parsed["completion"]["choices"][0]["finish_reason"] == "tool_calls"
    assert parsed["completion"]["usage"]["prompt_tokens_details"]["cached_tokens"] == 1000


def events_of(reply: Reply) -> list[tuple[str, str]]:
    found = []
    for raw in stream_events("responses", "m", reply, True):
        lines = raw.decode().strip().splitlines()
        found.append((lines[0][len("event: "):], lines[1][len("data: "):]))
    return found


def test_a_stream_is_relayed_event_by_event_with_its_text_and_the_final_usage():
    stream = ResponsesPassThrough().new_stream("mini")
    relayed = [item for event, data in events_of(Reply(text="Hi there", usage={"responses": USAGE}))
               for item in stream.feed(event, data)]
    assert [item["event"] for item in relayed][:2] == ["response.created", "response.in_progress"]
    texts = [chunk["choices"][0]["delta"].get("content") for item in relayed for chunk in item["chunks"]]
    assert texts[:2] == ["Hi ", "there"] and not any(item["error"] for item in relayed)
    assert relayed[-1]["chunks"][0]["choices"][0]["finish_reason"] == "stop"  # from response.completed
    assert stream.finish()["usage"]["completion_tokens"] == 340


def test_a_stream_without_its_final_event_is_cut_and_response_failed_is_relayed_then_raised():
    stream = ResponsesPassThrough().new_stream("mini")
    for event, data in events_of(Reply(text="Hi"))[:-1]:
        stream.feed(event, data)
    with pytest.raises(ProviderError) as raised:
        stream.finish()
    assert raised.value.kind == "cut"
    failing = ResponsesPassThrough().new_stream("mini")
    failed = {"type": "response.failed", "sequence_number": 3, "response": {
        "id": "resp_1", "status": "failed", "output": [], "usage": None,
        "error": {"code": "server_error", "message": "the model broke"}}}
    assert failing.feed("response.failed", json.dumps(failed))[0]["error"] is True
    with pytest.raises(ProviderError, match="the model broke"):
        failing.finish()
