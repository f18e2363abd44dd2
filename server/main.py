"""The FastAPI application: settings and database on app.state, routes per resource, OpenAPI at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from server.api import attachment_routes, auth_routes, record_routes, sync_routes, tag_block_routes
from server.db import make_engine, make_session_factory, upgrade_head
from server.settings import Settings


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    """An application bound to one database; the schema is brought to the newest revision first."""
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade_head(engine)
    settings.blobs_dir.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="Closeout sync server", version="1")
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    for module in (auth_routes, sync_routes, record_routes, attachment_routes, tag_block_routes):
        app.include_router(module.router)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
