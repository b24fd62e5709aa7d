"""GET /v1/models/{id} through the official openai SDK against the real server: OpenAI's Model object for every
name a client may ask for (alias, `provider/alias` pin, provider model id), OpenAI's 404 for any other."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import openai
import pytest


@pytest.fixture
def client(llms_server):
    return openai.OpenAI(base_url=llms_server.url + "/v1", api_key="unused", max_retries=0, timeout=20)


@pytest.mark.parametrize("name, owned_by", [
    ("gpt-4o-mini", "openai"),
    ("failover", "openai,backup"),  # served by two providers: both, in the order they are tried
    ("backup/failover", "backup,openai"),  # a pin puts its provider first; the SDK sends the slash as %2F
    ("fault-500", "openai"),  # a provider model id is a name too
])
def test_retrieve_gives_openais_model_object(client, name, owned_by):
    model = client.models.retrieve(name)
    assert (model.id, model.object, model.created, model.owned_by) == (name, "model", 0, owned_by)


def test_every_listed_model_can_be_retrieved_with_every_provider_that_would_serve_it(client):
    listed = client.models.list().data
    assert listed
    for model in listed:
        retrieved = client.models.retrieve(model.id)
        assert (retrieved.id, retrieved.object) == (model.id, "model")
        # The list names the providers with that alias; a retrieve names every provider the name routes to,
        # those whose own model id it is too (mock-model: openai's alias, backup's and selfhosted's model id).
        assert set(model.owned_by.split(",")) <= set(retrieved.owned_by.split(","))
    assert client.models.retrieve("mock-model").owned_by == "openai,backup,selfhosted"


def test_a_name_with_a_slash_works_unquoted_too(llms_server):
    with urllib.request.urlopen(llms_server.url + "/v1/models/backup/failover", timeout=10) as response:
        assert json.loads(response.read())["owned_by"] == "backup,openai"


def test_an_unknown_model_is_openais_404(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("no-such-model")
    error = caught.value
    assert (error.status_code, error.code, error.type, error.param) == (404, "model_not_found",
                                                                        "invalid_request_error", "model")
    assert "unknown model 'no-such-model'" in error.message and "gpt-4o-mini" in error.message


def test_a_model_only_a_disabled_provider_serves_is_a_404_that_says_why(llms_server):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(llms_server.url + "/v1/models/keyless", timeout=10)
    assert caught.value.code == 404
    error = json.loads(caught.value.read())["error"]
    assert error["code"] == "model_not_found" and "MOCK_UNSET_KEY" in error["message"]
