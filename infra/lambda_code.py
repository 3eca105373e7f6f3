"""Turns the built artifacts into what Lambda consumes: a code archive and a layer version uploaded through S3.

The layer goes through S3 whatever its size: it is ~32 MB zipped today, and direct upload stops at 50 MB,
so a dependency bump must not turn into a failed deploy. The code zip is small and uploaded directly.
With `buildArtifacts: false` both are tiny placeholder archives: for previews and tests, not for a real deploy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.artifacts import build_code_zip, build_layer_zip
from infra.config import Settings

RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
PLACEHOLDER_HASH = "placeholder"


@dataclass(frozen=True)
class LocalArtifacts:
    """The two archives before upload, with the hashes that tell Lambda whether they changed."""

    code: pulumi.Archive
    code_hash: str
    layer: pulumi.Asset | pulumi.Archive
    layer_hash: str
    layer_key: str


@dataclass(frozen=True)
class LambdaCode:
    """What every function is built from."""

    code: pulumi.Archive
    code_hash: str
    layer_arn: pulumi.Output[str]


def placeholder_artifacts() -> LocalArtifacts:
    """Archives that cost nothing to make; deploying them gives functions that cannot import their handler."""
    note = "placeholder: set `buildArtifacts: true` to deploy the real code\n"
    return LocalArtifacts(
        code=pulumi.AssetArchive({"PLACEHOLDER.txt": pulumi.StringAsset(note)}),
        code_hash=PLACEHOLDER_HASH,
        layer=pulumi.AssetArchive({"python/PLACEHOLDER.txt": pulumi.StringAsset(note)}),
        layer_hash=PLACEHOLDER_HASH,
        layer_key="layers/placeholder.zip",
    )


def built_artifacts(settings: Settings) -> LocalArtifacts:
    """Build (or take from the cache) the real code zip and arm64 dependency layer."""
    code = build_code_zip(settings.artifact_cache_dir)
    layer = build_layer_zip(cache_dir=settings.artifact_cache_dir)
    return LocalArtifacts(
        code=pulumi.FileArchive(str(code.path)),
        code_hash=code.source_code_hash,
        layer=pulumi.FileAsset(str(layer.path)),  # an Asset: uploaded byte for byte, not re-zipped
        layer_hash=layer.source_code_hash,
        layer_key=f"layers/{layer.path.name}",
    )


def local_artifacts(settings: Settings) -> LocalArtifacts:
    if settings.build_artifacts:
        return built_artifacts(settings)
    pulumi.log.warn("buildArtifacts is false: functions get placeholder code (fine for preview, not for up)")
    return placeholder_artifacts()


def artifact_bucket(settings: Settings) -> pulumi.Output[str]:
    """The configured bucket, or a private one owned by the stack."""
    if settings.artifact_bucket:
        return pulumi.Output.from_input(settings.artifact_bucket)
    # bucket_prefix: at most 37 characters, lower case.
    bucket = aws.s3.Bucket("artifacts", bucket_prefix=f"{settings.prefix.lower()[:26]}-artifacts-")
    aws.s3.BucketPublicAccessBlock(
        "artifacts",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    return bucket.id


def publish(settings: Settings, artifacts: LocalArtifacts) -> LambdaCode:
    """Upload the layer to S3, publish it as a layer version, and hand back what functions need."""
    bucket = artifact_bucket(settings)
    obj = aws.s3.BucketObjectv2(
        "dependency-layer",
        bucket=bucket,
        key=artifacts.layer_key,
        source=artifacts.layer,
    )
    layer = aws.lambda_.LayerVersion(
        "dependencies",
        layer_name=f"{settings.prefix}-dependencies",
        description="Runtime dependencies from pyproject [project].dependencies, manylinux2014_aarch64, CPython 3.12",
        s3_bucket=obj.bucket,
        s3_key=obj.key,
        source_code_hash=artifacts.layer_hash,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
    )
    return LambdaCode(code=artifacts.code, code_hash=artifacts.code_hash, layer_arn=layer.arn)
