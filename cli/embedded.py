"""The embedded default: moto's DynamoDB (with Streams) in this process.

Two ways, one backend: `in_process_dynamodb` hands boto3's requests to moto inside botocore (no socket, no HTTP
server), which is what the demo uses; `embedded_dynamodb` serves the same moto on a loopback port, for code that
needs a URL (tests of the stream reader, the load bench on moto). In the demo the loopback server cost about half of
moto's CPU per call (werkzeug + Flask + HTTP both ways; bench/stream.py and the note of issue 16 have the numbers).
"""

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


# Endpoint settings that would send boto3 elsewhere than moto while the in-process backend is active.
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")


@contextlib.contextmanager
def in_process_dynamodb() -> Iterator[None]:
    """moto's DynamoDB and DynamoDB Streams inside this process (`mock_aws`): every boto3 client made inside the
    block talks to it without an endpoint URL (None is yielded: use the default endpoints, which moto intercepts).

    Endpoint variables are set aside for the block, so a shell pointed at DynamoDB Local or AWS is never written to.
    """
    from moto import mock_aws

    from cli.moto_patches import moto_patches

    prepare_local_aws_env()
    saved = {name: os.environ.pop(name) for name in _ENDPOINT_VARIABLES if name in os.environ}
    try:
        with mock_aws(), moto_patches():
            yield None
    finally:
        os.environ.update(saved)


@contextlib.contextmanager
def embedded_dynamodb() -> Iterator[str]:
    """Starts a moto server on 127.0.0.1 and yields its endpoint URL; stops it on exit."""
    from moto.server import ThreadedMotoServer

    from cli.moto_patches import moto_patches

    prepare_local_aws_env()
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with moto_patches():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()
