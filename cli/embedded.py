"""The embedded default: a moto DynamoDB server (with Streams) in this process, on a free loopback port."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator


def prepare_local_aws_env() -> None:
    """Dummy credentials for local endpoints, and the botocore quirk moto needs for Streams (DESIGN.md)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")


@contextlib.contextmanager
def embedded_dynamodb() -> Iterator[str]:
    """Starts a moto server on 127.0.0.1 and yields its endpoint URL; stops it on exit."""
    from moto.server import ThreadedMotoServer

    prepare_local_aws_env()
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
