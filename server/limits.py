"""Limits every request meets before a route sees it: the body size, short error answers, no server banner."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: An echoed input in a 422 answer is cut to this many characters.
MAX_ECHO = 200
ATTACHMENTS_PREFIX = "/api/attachments/"


class BodyLimit:
    """Refuses a body larger than the limit with 413: by its Content-Length at once, or while it streams in.

    Attachment uploads may be as large as an attachment; every other request as large as `max_request_bytes`.
    """

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.max_upload_bytes if path.startswith(ATTACHMENTS_PREFIX) else self.max_request_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        exceeded = answered = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # The route sees the client go away; whatever it answers is replaced by the 413 below.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def limited_send(message: Message) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered:
                answered = True
                await _too_large(send, limit)

        try:
            await self.app(scope, limited_receive, limited_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not answered:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"the request is larger than the {limit} bytes this server accepts"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _short(value: Any) -> Any:
    """An echoed input, cut to MAX_ECHO characters of its JSON text when longer (a 50 MB password is not sent
    back whole)."""
    if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot go out as JSON


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 in FastAPI's documented shape, with each echoed input shortened."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors()[:20]:
        item: dict[str, Any] = {
            "loc": [part if isinstance(part, int) else _short(str(part)) for part in error.get("loc", ())],
            "msg": _short(str(error.get("msg", ""))),
            "type": str(error.get("type", "")),
        }
        if "input" in error:
            item["input"] = _short(error["input"])
        errors.append(item)
    return JSONResponse({"detail": errors}, status_code=422)


def install(app: FastAPI, *, max_request_bytes: int, max_upload_bytes: int) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(BodyLimit, max_request_bytes=max_request_bytes, max_upload_bytes=max_upload_bytes)
