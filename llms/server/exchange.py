"""One proxied request from start to end, and the record every recorder receives when it ends."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from llms.routing import Candidate
from llms.server.keys import RECORDERS, TOKEN_NAME

__all__ = ["Exchange"]

log = logging.getLogger("llms.server")


@dataclass
class Exchange:
    request_id: str
    started: float
    started_at: datetime
    body: dict
    client: str
    token: str | None = None
    candidate: Candidate | None = None
    ttft_ms: float | None = None
    finished: bool = field(default=False)

    @classmethod
    def begin(cls, request: web.Request, body: dict, started: float) -> "Exchange":
        client = "app" if request.headers.get("X-LLMS-Client") == "app" else "api"
        return cls(uuid.uuid4().hex, started, datetime.now().astimezone(), body, client, request.get(TOKEN_NAME))

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    def finish(self, app: web.Application, status: str, *, usage: dict | None = None, finish_reason: str | None = None,
               error: str | None = None, http_status: int = 200, provider: str | None = None,
               output_text: str | None = None, reasoning_text: str | None = None) -> None:
        """Hand the request's record to every recorder (the ledger, …), once."""
        if self.finished:
            return
        self.finished = True
        record = {
            "request_id": self.request_id,
            "timestamp": self.started_at.isoformat(timespec="milliseconds"),
            "client": self.client,
            "token": self.token,
            "provider": self.candidate.provider.id if self.candidate else provider,
            "model": self.body["model"],
            "provider_model": self.candidate.provider_model if self.candidate else None,
            "endpoint": "/v1/chat/completions",
            "is_streaming": bool(self.body.get("stream")),
            "status": status,
            "http_status": http_status,
            "error": error,
            "finish_reason": finish_reason,
            "usage": usage,
            "response_ms": self.elapsed_ms(),
            "ttft_ms": self.ttft_ms,
            "messages": self.body.get("messages"),
            "output_text": output_text,
            "reasoning_text": reasoning_text,
        }
        for recorder in app.get(RECORDERS, ()):
            try:
                recorder(record)
            except Exception:  # a broken recorder must not fail the person's request; it is logged
                log.exception("recorder %r failed for request %s", recorder, self.request_id)
