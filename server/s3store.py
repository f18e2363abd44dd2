"""Attachment content in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Cloudflare R2) through boto3.

Blobs are `<prefix>blobs/<sha[:2]>/<sha>`. A resumable upload becomes a multipart upload of a staging object
`<prefix>uploads/<user>/<sha>`: the device's small parts gather in the upload's row until they make an S3 part
(S3 refuses parts under 5 MiB but the last); the finished object is hashed, then copied under its hash.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from server.blobstore import BlobRefused, sha256_of
from server.models import UploadSession
from server.settings import Settings

#: The smallest part S3 accepts, but for the last one.
S3_MIN_PART_BYTES = 5 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """One bucket (and key prefix) of an S3-compatible service; the client is shared by the request threads."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        if not settings.s3_bucket:
            raise ValueError("CLOSEOUT_SERVER_STORAGE=s3 needs CLOSEOUT_SERVER_S3_BUCKET")
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region or None,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if settings.s3_path_style else "auto"},
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                max_pool_connections=64,
            ),
        )
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    def key(self, sha256: str) -> str:
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256}"

    def staging_key(self, upload: UploadSession) -> str:
        return f"{self.prefix}uploads/{upload.user_id}/{upload.sha256}"

    def ensure_bucket(self) -> bool:
        """Make the bucket if it is missing (`closeout-server init`); whether it was made."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if _code(exc) not in _MISSING and _code(exc) != "NoSuchBucket":
                raise
        self.client.create_bucket(Bucket=self.bucket)
        return True

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
            return True
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise

    def put(self, sha256: str, data: bytes) -> None:
        if not self.exists(sha256):  # content addressed: an existing object already holds these bytes
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=data)

    def read(self, sha256: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()
        return body

    def append(self, upload: UploadSession, data: bytes) -> None:
        pending = bytes(upload.pending or b"") + data
        if len(pending) >= S3_MIN_PART_BYTES:
            self._send_part(upload, pending)
            pending = b""
        upload.pending = pending

    def _send_part(self, upload: UploadSession, data: bytes) -> None:
        """Send `data` as the upload's next S3 part. A part sent by a request whose row change was rolled back
        is sent again under the same number, which replaces it."""
        if not upload.multipart_id:
            made = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.staging_key(upload))
            upload.multipart_id = str(made["UploadId"])
        number = len(upload.parts or []) + 1
        sent = self.client.upload_part(
            Bucket=self.bucket, Key=self.staging_key(upload), UploadId=upload.multipart_id,
            PartNumber=number, Body=data,
        )  # fmt: skip
        upload.parts = [*(upload.parts or []), {"n": number, "etag": sent["ETag"], "size": len(data)}]

    def complete(self, upload: UploadSession) -> int:
        if not upload.multipart_id:  # smaller than one S3 part: it is all in the row
            data = bytes(upload.pending or b"")
            if len(data) != upload.total or sha256_of([data]) != upload.sha256:
                raise BlobRefused("the content does not match its SHA-256")
            self.put(upload.sha256, data)
            return len(data)
        if upload.pending:
            self._send_part(upload, bytes(upload.pending))
            upload.pending = b""
        staging = self.staging_key(upload)
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=staging, UploadId=upload.multipart_id,
                MultipartUpload={"Parts": [{"PartNumber": p["n"], "ETag": p["etag"]} for p in upload.parts]},
            )  # fmt: skip
        except ClientError as exc:
            # Completed by an earlier attempt whose transaction was then lost: the staging object is there.
            if _code(exc) != "NoSuchUpload":
                raise
        try:
            try:
                body = self.client.get_object(Bucket=self.bucket, Key=staging)["Body"]
            except ClientError as exc:
                # An earlier attempt got as far as keeping it (then lost its transaction): kept under its hash.
                if _code(exc) in _MISSING and self.exists(upload.sha256):
                    return upload.total
                raise
            if sha256_of(body.iter_chunks(1024 * 1024)) != upload.sha256:
                raise BlobRefused("the content does not match its SHA-256")
            if not self.exists(upload.sha256):
                self.client.copy_object(
                    Bucket=self.bucket, Key=self.key(upload.sha256), CopySource={"Bucket": self.bucket, "Key": staging}
                )
            return upload.total
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=staging)

    def abort(self, upload: UploadSession) -> None:
        if upload.multipart_id:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.staging_key(upload), UploadId=upload.multipart_id
                )
            except ClientError as exc:
                if _code(exc) != "NoSuchUpload":
                    raise
        self.client.delete_object(Bucket=self.bucket, Key=self.staging_key(upload))

    def sweep(self, older_than_seconds: float, live: Sequence[UploadSession]) -> int:
        keep = {upload.multipart_id for upload in live}
        cutoff = time.time() - older_than_seconds
        removed = 0
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}uploads/"
        )
        for page in pages:
            for item in page.get("Uploads", []):
                started: datetime = item["Initiated"]
                if item["UploadId"] in keep or started.astimezone(UTC).timestamp() > cutoff:
                    continue
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=item["Key"], UploadId=item["UploadId"])
                removed += 1
        return removed

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)
