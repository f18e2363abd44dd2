"""Operations: /healthz (the process answers), /readyz (database and blob store answer), /metrics, a request id
on every request and its log line, and log lines as JSON objects."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import metrics
from server.models import UploadSession

REQUEST_ID_HEADER = "X-Request-ID"
#: How `serve` tells its worker processes the log level.
LOG_LEVEL_ENV = "CLOSEOUT_SERVER_LOG_LEVEL"
#: An id sent by a reverse proxy is kept when it looks like one (so its log and ours line up), else made here.
_GOOD_ID = re.compile(r"\A[A-Za-z0-9._:-]{8,64}\Z")
request_id: ContextVar[str] = ContextVar("request_id", default="")
log = logging.getLogger("closeout.server")
_SYNC_ROUTES = {"/api/sync/push": "push", "/api/sync/pull": "pull"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id, and any `extra` fields."""

    _PLAIN = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id.get():
            entry["request_id"] = request_id.get()
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._PLAIN and not k.startswith("_")})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(*, as_json: bool, level: str = "info") -> None:
    """The server's and uvicorn's log lines to stderr, as JSON objects or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for name in ("closeout.server", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # one line per request comes from RequestLog instead


class RequestLog:
    """Gives each request an id (answered in X-Request-ID), counts and times it by route, and logs one line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        rid = sent if _GOOD_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template: ids stay out of labels
            metrics.REQUESTS.labels(route, str(status)).inc()
            metrics.REQUEST_SECONDS.labels(route).observe(elapsed)
            if route in _SYNC_ROUTES and status < 400:
                metrics.SYNC_SECONDS.labels(_SYNC_ROUTES[route]).observe(elapsed)
            log.info(
                "request",
                extra={"method": scope["method"], "route": route, "status": status, "ms": round(elapsed * 1000, 1)},
            )
            request_id.reset(token)


ops = APIRouter(tags=["operations"])


@ops.get("/healthz", responses={200: {"description": "The process answers."}})
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _failed_checks(request: Request) -> list[str]:
    failed = []
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.exception("readiness: the database does not answer")
        failed.append("database")
    try:
        request.app.state.blob_store.check()
    except Exception:
        log.exception("readiness: the blob store does not answer")
        failed.append("storage")
    return failed


@ops.get(
    "/readyz",
    responses={
        200: {"description": "The database and the blob store answer: send traffic here."},
        503: {"description": "The database or the blob store does not answer (named in `failed`)."},
    },
)
async def readyz(request: Request) -> Response:
    failed = await run_in_threadpool(_failed_checks, request)
    body = {"status": "unavailable", "failed": failed} if failed else {"status": "ready"}
    return Response(json.dumps(body), status_code=503 if failed else 200, media_type="application/json")


def _count_open_uploads(request: Request) -> None:
    try:
        with request.app.state.session_factory() as session:
            metrics.OPEN_UPLOADS.set(session.scalar(select(func.count()).select_from(UploadSession)) or 0)
    except Exception:
        log.exception("metrics: could not count the open uploads")


@ops.get(
    "/metrics",
    responses={200: {"description": "Prometheus text exposition.", "content": {"text/plain": {}}}},
    response_class=Response,
)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus metrics; keep them to the monitoring network (the reverse proxy does not pass /metrics on)."""
    await run_in_threadpool(_count_open_uploads, request)
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


def install(app: FastAPI) -> None:
    app.include_router(ops)
    app.add_middleware(RequestLog)
