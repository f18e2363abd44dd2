"""Request dependencies: the database session (commit on success), the settings, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from server.auth import Scope, scope_of, user_for_token
from server.blobstore import BlobStore
from server.models import Token, User
from server.settings import Settings

_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_session(factory: Annotated[sessionmaker[Session], Depends(get_session_factory)]) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back when it raises.

    Routes that take row locks commit themselves before returning (`commit_now`): the teardown of a
    dependency waits for a free worker thread, and lock waiters may hold all of them.
    """
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_blob_store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blob_store
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
BlobStoreDep = Annotated[BlobStore, Depends(get_blob_store)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
#: Committed before the answer is sent ("function" scope): a client acting on the answer (a HEAD after an upload,
#: a request after signing out) must find the change made.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass
class Caller:
    user: User
    token: Token
    scope: Scope


def get_caller(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first", {"WWW-Authenticate": "Bearer"})
    found = user_for_token(session, settings, credentials.credentials)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the sign-in has expired or was revoked", {"WWW-Authenticate": "Bearer"}
        )
    user, token = found
    return Caller(user=user, token=token, scope=scope_of(session, user))


CurrentUser = Annotated[Caller, Depends(get_caller)]
