"""Server settings from CLOSEOUT_SERVER_* environment variables or the data folder's server.env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CLOSEOUT_SERVER_"
CONFIG_FILE = "server.env"
#: Secrets that ship in examples and tutorials; the server refuses to start with one of them.
DEFAULT_SECRETS = frozenset({"", "changeme", "change-me", "secret", "closeout"})


def default_data_dir() -> Path:
    env = os.environ.get(f"{ENV_PREFIX}DATA_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("closeout-server", "Closeout"))


class Settings(BaseSettings):
    """Everything the server reads at start; `secret_key` must be set to a real secret."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Path()
    #: Empty: an SQLite file in the data folder. Production: postgresql+psycopg://user@host/db.
    database_url: str = ""
    #: Pepper mixed into token hashes; `closeout-server init` writes a random one into server.env.
    secret_key: str = ""
    token_ttl_hours: int = 24 * 30
    max_attachment_bytes: int = 25 * 1024 * 1024
    sync_lease_seconds: float = 30.0
    #: Tombstones (deleted records) are kept at least this long; `closeout-server purge-tombstones` removes older.
    tombstone_days: int = 180
    #: Failed sign-ins of one account name before it is slowed down (30 s, doubling with each further failure).
    login_max_failures: int = 5
    #: Failed sign-ins from one address (any names) before that address is slowed down the same way.
    login_max_failures_per_address: int = 20
    login_lockout_seconds: float = 30.0
    #: Failures older than this are forgotten.
    login_failure_window_seconds: float = 900.0
    #: The largest request body accepted (attachment uploads may be as large as `max_attachment_bytes`).
    max_request_bytes: int = 16 * 1024 * 1024
    #: Unfinished chunked uploads one user may have at once.
    max_unfinished_uploads: int = 20
    #: Serve /docs and /openapi.json (off unless asked for: they map the API for anyone).
    api_docs: bool = False
    #: PostgreSQL connections of one server process: db_pool_size kept open, up to db_max_overflow more at peaks.
    #: Instances x workers x (both) must stay under the database's max_connections (100 by default).
    db_pool_size: int = 10
    db_max_overflow: int = 60
    #: Where attachments live: "local" (the data folder's blobs/, one server process) or "s3" (any S3-compatible
    #: service, for several instances). boto3 also reads AWS_* variables for what is left empty.
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    #: Empty for AWS; e.g. http://minio:9000 for MinIO, https://<account>.r2.cloudflarestorage.com for R2.
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    #: Key prefix inside the bucket (e.g. "closeout/"), so one bucket may hold other things too.
    s3_prefix: str = ""
    #: Path-style addressing (http://host/bucket/key): what MinIO and Ceph RGW expect by default.
    s3_path_style: bool = True
    #: Log lines as JSON objects (one per line, with the request id) instead of plain text.
    json_logs: bool = True

    @field_validator("secret_key")
    @classmethod
    def _refuse_default_secret(cls, value: str) -> str:
        if value.strip().lower() in DEFAULT_SECRETS or len(value) < 16:
            raise ValueError(
                "CLOSEOUT_SERVER_SECRET_KEY is missing or a well-known default; run 'closeout-server init' "
                "or set a random value of at least 16 characters"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'closeout-server.sqlite'}"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, then the data folder's server.env, then `overrides` (tests)."""
    data_dir = Path(str(overrides.pop("data_dir", None) or default_data_dir()))
    env_file = data_dir / CONFIG_FILE
    settings = Settings(
        _env_file=env_file if env_file.exists() else None,
        data_dir=data_dir,
        **overrides,
    )
    return settings


@lru_cache(maxsize=1)
def cached_settings() -> Settings:
    return load_settings()
