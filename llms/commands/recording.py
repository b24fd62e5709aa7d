"""The terminal's requests in the ledger: a one-shot chat and each model `llms --check` asks get one line, as the
server writes for its own (server/ledger_recorder.py prices it by the alias served), with client "cli"; nothing is
written when llms.json leaves the ledger off. The Providers view's Check hands the same record to the server's
recorders with client "app"."""

from __future__ import annotations

import os
from datetime import datetime

from llms.ledger.location import ledger_path
from llms.ledger.schema import recorder_record
from llms.ledger.writer import LedgerWriter
from llms.providers.base import ProviderError
from llms.providers.masking import config_secrets
from llms.providers.routing import Candidate

__all__ = ["call_record", "CliLedger"]


def call_record(client: str, started_at: datetime, candidate: Candidate, body: dict, response_ms: float, *,
                error: ProviderError | None = None, usage: dict | None = None, finish_reason: str | None = None,
                output_text: str | None = None, reasoning_text: str | None = None,
                ttft_ms: float | None = None) -> dict:
    """The recorder record of one call made outside the proxy (no HTTP client, no token, no endpoint)."""
    return recorder_record(
        request_id=os.urandom(16).hex(), timestamp=started_at.isoformat(timespec="milliseconds"), client=client,
        client_app=None, token=None, ip_address=None, provider=candidate.provider.id, model=body["model"],
        alias=candidate.alias, provider_model=candidate.provider_model, endpoint=None,
        is_streaming=bool(body.get("stream")), status="ok" if error is None else "error",
        http_status=200 if error is None else error.status, error=None if error is None else error.message,
        finish_reason=finish_reason, usage=usage, response_ms=round(response_ms, 2), ttft_ms=ttft_ms,
        messages=body["messages"], output_text=output_text, reasoning_text=reasoning_text,
    )


class CliLedger:
    """The ledger of a terminal command; `record` writes one line, or nothing with the ledger off."""

    def __init__(self, config):
        self._recorder = None
        if config.ledger["enabled"]:
            # Imported only when the ledger is on: the server's modules (aiohttp.web) stay off a plain chat's start.
            from llms.server.ledger_recorder import LedgerRecorder
            from llms.server.price_cache import LazyPriceTable

            writer = LedgerWriter(ledger_path(config), int(config.ledger["max_mb"] * 1024 * 1024),
                                  config_secrets(config.providers))
            self._recorder = LedgerRecorder(config, LazyPriceTable(config.providers), writer, config.ledger["prompts"])

    def record(self, record: dict) -> None:
        if self._recorder is not None:
            self._recorder(record)

    def close(self) -> None:
        if self._recorder is not None:
            self._recorder.writer.close()
