"""A real S3-compatible server for the storage tests: moto's server mode, in a thread, on loopback.

The project talks to it through django-storages and boto3 over HTTP exactly as it would talk to MinIO;
nothing in the client is mocked. One server for the session, one fresh bucket per test.
"""

from __future__ import annotations

import itertools

import boto3
import pytest
from moto.server import ThreadedMotoServer

CREDENTIALS = {
    "aws_access_key_id": "test-key",
    "aws_secret_access_key": "test-secret",
    "region_name": "us-east-1",
}
_buckets = itertools.count()


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """STORAGES["default"] on a new, private bucket (as base.py builds it from STORAGE_BUCKET), and an
    empty MEDIA_ROOT that must stay empty of stored files."""
    name = f"jiandang-test-{next(_buckets)}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": CREDENTIALS["region_name"],
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return Bucket(client, name)


class Bucket:
    def __init__(self, client, name: str) -> None:
        self.client = client
        self.name = name

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
