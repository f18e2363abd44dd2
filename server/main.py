"""The FastAPI application: settings and database on app.state, routes per resource, request limits; OpenAPI at
/docs only when the `api_docs` setting asks for it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from server import limits, observability
from server.api import attachment_routes, auth_routes, record_routes, sync_routes, tag_block_routes
from server.blobstore import make_blob_store
from server.db import make_engine, make_session_factory, upgrade_head
from server.settings import Settings
from server.storage import MAX_PART_BYTES

#: uvicorn options of every way the server is run: no `server: uvicorn` banner; client addresses as connected
#: (behind a reverse proxy, pass uvicorn's --proxy-headers and --forwarded-allow-ips so sign-in limits see them).
SERVE_OPTIONS: dict[str, Any] = {"server_header": False, "proxy_headers": False}


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    """An application bound to one database; the schema is brought to the newest revision first."""
    engine = make_engine(
        settings.resolved_database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    if migrate:
        upgrade_head(engine)
    docs = settings.api_docs
    app = FastAPI(
        title="Closeout sync server",
        version="1",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    limits.install(
        app,
        max_request_bytes=settings.max_request_bytes,
        max_upload_bytes=max(settings.max_attachment_bytes, MAX_PART_BYTES) + 64 * 1024,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.blob_store = make_blob_store(settings)
    observability.install(app)
    for module in (auth_routes, sync_routes, record_routes, attachment_routes, tag_block_routes):
        app.include_router(module.router)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def worker_app() -> FastAPI:
    """The application of one `serve --workers` process: settings from the environment, schema already upgraded."""
    import os

    from server.observability import LOG_LEVEL_ENV, configure_logging
    from server.settings import load_settings

    settings = load_settings()
    configure_logging(as_json=settings.json_logs, level=os.environ.get(LOG_LEVEL_ENV, "info"))
    return create_app(settings, migrate=False)
