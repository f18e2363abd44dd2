"""What the server accepts beyond the shared wire schemas (integers the database holds, text without NUL, times
read as UTC), and the error answers each route documents in the OpenAPI schema."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field, StringConstraints, field_validator

from models.wire import (
    MAX_PUSH_MUTATIONS,
    CheckRequest,
    CursorExpiredError,
    LoginRequest,
    Mutation,
    PullRequest,
    PushRequest,
)
from server.models import MAX_DB_INT

#: Text that PostgreSQL can store in a text column (no NUL character).
_NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)]
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=_NO_NUL)]
PathId = Annotated[str, Path(min_length=1, max_length=36, pattern=_NO_NUL)]
PathName = Annotated[str, Path(min_length=1, max_length=40, pattern=_NO_NUL)]


class MutationInput(Mutation):
    """A pushed mutation. `at` without a time zone is read as UTC (an older client's clock text)."""

    mutation_id: int = Field(ge=1, le=MAX_DB_INT)
    prev_id: int = Field(ge=0, le=MAX_DB_INT)
    base_version: int = Field(ge=0, le=MAX_DB_INT)
    entity: Name
    entity_id: RecordId
    actor: str = Field(default="", max_length=120, pattern=_NO_NUL)
    hlc: str = Field(default="", max_length=40, pattern=_NO_NUL)

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PushInput(PushRequest):
    device_id: RecordId
    mutations: list[MutationInput] = Field(max_length=MAX_PUSH_MUTATIONS)  # type: ignore[assignment]


class PullInput(PullRequest):
    device_id: RecordId
    reset: list[RecordId] = Field(default=[], max_length=10_000)


class CheckInput(CheckRequest):
    device_id: RecordId
    fresh: list[RecordId] = Field(default=[], max_length=10_000)


class LoginInput(LoginRequest):
    username: str = Field(min_length=1, max_length=120, pattern=_NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=_NO_NUL)


class Message(BaseModel):
    """An error answer: what went wrong, in words."""

    detail: str


class ResumeDetail(BaseModel):
    message: str
    received: int


class ResumeFrom(BaseModel):
    """416: the part does not continue the upload; `received` says where it stands."""

    detail: ResumeDetail


_WHY = {
    400: "The request is not valid: a body that is not JSON, or a cursor this server did not issue to this device.",
    401: "Sign in first, or the sign-in expired or was revoked.",
    404: "No such record, device or attachment for this caller (another tenant's data answers the same).",
    409: "Another sync of this device is running (Retry-After says when to try again).",
    410: "The cursor is older than the deleted records the server keeps: pull these spaces again with `reset`.",
    413: "The request body is larger than the server accepts.",
    416: "The part does not continue the upload.",
    422: "The request does not match its schema.",
    429: "Too many failed sign-ins or unfinished uploads (Retry-After says when to try again).",
}
_MODELS: dict[int, type[BaseModel]] = {410: CursorExpiredError, 416: ResumeFrom}


def answers(*codes: int, refused_content: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error answers a route gives (400 and 413, which any body may cause, are added to
    every route, and FastAPI adds 422 to those that take input).

    `refused_content`: the route also answers 422 with a message (an attachment whose content was refused)."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, 400, 413}):
        documented[code] = {"model": _MODELS.get(code, Message), "description": _WHY[code]}
    if refused_content:
        documented[422] = {
            "description": "The request does not match its schema, or the content was refused (a message).",
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/HTTPValidationError"},
                            {"$ref": "#/components/schemas/Message"},
                        ]
                    }
                }
            },
        }
    return documented
