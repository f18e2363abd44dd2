"""Sign in (a bearer token), sign out (revoke it), and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from models.wire import LoginResponse, UserInfo
from server import auth
from server.api.deps import CurrentUser, SessionDep, SessionFactoryDep, SettingsDep
from server.api.inputs import LoginInput, answers

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", responses=answers(401, 429))
def login(body: LoginInput, request: Request, factory: SessionFactoryDep, settings: SettingsDep) -> LoginResponse:
    """Sign in. Unknown names and wrong passwords get the same 401; repeated failures of one name or from one
    address get 429 with Retry-After (docs/sync.md, "People and access")."""
    address = request.client.host if request.client else ""
    # Its own transaction so that a failed attempt is counted even though the request fails.
    with factory() as session, session.begin():
        try:
            raw, token, user = auth.login(
                session, settings, username=body.username, password=body.password, address=address
            )
        except auth.AuthError as exc:
            failure = exc
        else:
            return LoginResponse(token=raw, expires_at=token.expires_at, user=UserInfo(name=user.name, role=user.role))
    headers = {"Retry-After": str(int(failure.retry_after) + 1)} if failure.retry_after else None
    code = status.HTTP_429_TOO_MANY_REQUESTS if failure.retry_after else status.HTTP_401_UNAUTHORIZED
    raise HTTPException(code, str(failure), headers)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=answers(401))
def logout(caller: CurrentUser, session: SessionDep) -> None:
    token = session.merge(caller.token)
    auth.revoke(token)


@router.get("/me", responses=answers(401))
def me(caller: CurrentUser) -> UserInfo:
    return UserInfo(name=caller.user.name, role=caller.user.role)
