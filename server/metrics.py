"""Prometheus metrics of the server (prometheus-client); with several worker processes, each writes its own
files under PROMETHEUS_MULTIPROC_DIR and /metrics adds them up."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Sync answers are meant to stay well under half a second; the buckets resolve that range finely.
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ITEMS = (0, 1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000)

REQUESTS = Counter("closeout_requests", "HTTP requests answered, by route template and status.", ["route", "status"])
REQUEST_SECONDS = Histogram(
    "closeout_request_seconds", "Time to answer a request, by route template.", ["route"], buckets=SECONDS
)
SYNC_ITEMS = Histogram(
    "closeout_sync_items", "Mutations per push and rows per pull page.", ["direction"], buckets=ITEMS
)
SYNC_SECONDS = Histogram("closeout_sync_seconds", "Time to answer a push or a pull.", ["direction"], buckets=SECONDS)
CONFLICTS = Counter("closeout_conflicts", "Conflicts recorded by pushes, by kind.", ["kind"])
OPEN_UPLOADS = Gauge(
    "closeout_open_uploads", "Unfinished resumable uploads (read from the database).", multiprocess_mode="mostrecent"
)


def render() -> tuple[bytes, str]:
    """The exposition text of this process, or of every worker process in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
