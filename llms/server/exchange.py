"""One proxied request from start to end, and the record every recorder receives when it ends."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from llms.ledger.schema import recorder_record
from llms.providers.answer import Answer, served_tier
from llms.providers.routing import Candidate
from llms.server.client_app import client_app
from llms.server.keys import RECORDERS, TOKEN_NAME

__all__ = ["Exchange"]

log = logging.getLogger("llms.server")
CLIENT_GONE = "the client closed the connection"


@dataclass
class Exchange:
    """Handlers say how the request went (`succeeded`, `failed`); the route calls `finish` once, in a
    `finally`, so a request the client left before either is recorded as aborted."""

    request_id: str
    started: float
    started_at: datetime
    body: dict
    client: str
    token: str | None = None
    ip_address: str | None = None  # the peer address the server saw (request.remote)
    client_app: str | None = None  # from the User-Agent (server/client_app.py)
    endpoint: str = "/v1/chat/completions"
    candidate: Candidate | None = None
    answer: Answer | None = None  # a stream's answer, once the stream opened
    status: str = "aborted"
    http_status: int = 200
    error: str | None = CLIENT_GONE
    error_provider: str | None = None
    usage: dict | None = None
    finish_reason: str | None = None
    output_text: str | None = None
    reasoning_text: str | None = None
    tool_calls: list[str] | None = None  # a whole answer's (a stream's are its Answer's)
    service_tier: str | None = None  # as a whole answer reported it
    finished: bool = field(default=False)

    @classmethod
    def begin(cls, request: web.Request, body: dict, started: float) -> "Exchange":
        client = "app" if request.headers.get("X-LLMS-Client") == "app" else "api"
        # 32 random hex characters, as uuid4().hex was, at a fifth of its cost.
        return cls(os.urandom(16).hex(), started, datetime.now().astimezone(), body, client, request.get(TOKEN_NAME),
                   request.remote, client_app=client_app(request.headers.get("User-Agent")), endpoint=request.path)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    @property
    def ttft_ms(self) -> float | None:
        return self.answer.ttft_ms if self.answer else None

    def succeeded(self, usage: dict | None, finish_reason: str | None = None, *, output_text: str | None = None,
                  reasoning_text: str | None = None, tool_calls: list[str] | None = None,
                  service_tier: str | None = None) -> None:
        self.status, self.error = "ok", None
        self.usage, self.finish_reason = usage, finish_reason
        self.output_text, self.reasoning_text = output_text, reasoning_text
        self.tool_calls, self.service_tier = tool_calls, service_tier

    def failed(self, http_status: int, message: str, provider: str | None = None) -> None:
        self.status, self.http_status, self.error, self.error_provider = "error", http_status, message, provider

    def finish(self, app: web.Application) -> None:
        """Hand the request's record to every recorder (the ledger, …), once."""
        if self.finished:
            return
        self.finished = True
        answer = self.answer
        record = recorder_record(
            request_id=self.request_id,
            timestamp=self.started_at.isoformat(timespec="milliseconds"),
            client=self.client,
            client_app=self.client_app,
            token=self.token,
            ip_address=self.ip_address,
            provider=self.candidate.provider.id if self.candidate else self.error_provider,
            model=self.body["model"],
            alias=self.candidate.alias if self.candidate else None,
            provider_model=self.candidate.provider_model if self.candidate else None,
            endpoint=self.endpoint,
            is_streaming=bool(self.body.get("stream")),
            status=self.status,
            http_status=self.http_status,
            error=self.error,
            finish_reason=answer.finish_reason if answer and self.finish_reason is None else self.finish_reason,
            usage=self.usage,
            response_ms=self.elapsed_ms(),
            ttft_ms=self.ttft_ms,
            messages=self.body.get("messages"),
            output_text=answer.output_text if answer else self.output_text,
            reasoning_text=answer.reasoning_text if answer else self.reasoning_text,
            tool_calls=answer.tool_calls if answer else self.tool_calls,
            service_tier=served_tier(answer.service_tier if answer else self.service_tier, self.body),
        )
        for recorder in app.get(RECORDERS, ()):
            try:
                recorder(record)
            except Exception:  # a broken recorder must not fail the person's request; it is logged
                log.exception("recorder %r failed for request %s", recorder, self.request_id)
