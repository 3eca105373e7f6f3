"""The only module that talks to DynamoDB.

Reads are Queries (never Scans): one receipt is one paginated Query on its partition; pending work comes from GSI3;
entity listings come from GSITYPE. Verdicts are conditional UpdateItems that set only the attributes the validator owns.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import ValidationError

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, METADATA_JUDGED, metadata_fingerprint
from domain.model import (
    BoundingBox,
    MetadataVerdict,
    Receipt,
    ReceiptContext,
    ReceiptLine,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWord,
    ReceiptWordLabel,
    ValidationStatus,
    Verdict,
    utc_now_iso,
)

log = logging.getLogger(__name__)

_ser = TypeSerializer()
_de = TypeDeserializer()

BATCH_WRITE_SIZE = 25
MAX_UNPROCESSED_RETRIES = 8
MAX_POOL_CONNECTIONS = 32  # >= the write pool's bound (default 8) + the sweep's receipt workers (default 4), with room

HUMAN_PREFIX = "human:"  # `validated_by` of a person's verdict: the automatic paths never write such a label


@dataclass(frozen=True)
class Ownership:
    """The attributes of one entity the validator may write: every update goes through `owned_update`, which refuses
    any other name. Declared once here (CONTRACT §1); the review door writes a person's verdict through the same set."""

    entity: str
    names: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def owns(self, name: str) -> bool:
        return name in self.names or any(name.startswith(p) and len(name) > len(p) for p in self.prefixes)


LABEL_OWNED = Ownership(
    keys.TYPE_LABEL,
    frozenset(
        {"validation_status", "reasoning", "validated_by", "validated_at", "last_verified_at", "GSI3PK", "GSI3SK"}
    ),
)
METADATA_OWNED = Ownership(
    keys.TYPE_METADATA,
    frozenset(
        {
            "validation_status",
            "reasoning",
            "validated_by",
            "validated_at",
            "matched_fields",
            FINGERPRINT_ATTRIBUTE,
            keys.LEGACY_MARKER_ATTRIBUTE,  # removed on every write: the marker of earlier versions
        }
    ),
    prefixes=("canonical_",),
)
# What a label verdict judged: written only while the item still holds these values as read.
LABEL_JUDGED = ("validation_status", "validated_by", "label_proposed_by", "timestamp_added")


class NotOwned(ValueError):
    """A write that names an attribute the validator does not own: a programming error, never sent."""


def owned_update(
    owner: Ownership,
    *,
    sets: dict[str, Any],
    removes: Iterable[str] = (),
    held: dict[str, Any] | None = None,
    not_human: bool = False,
) -> dict[str, Any]:
    """UpdateItem arguments (UpdateExpression, ConditionExpression, names, values) that write only `owner`'s attributes.

    The condition: the item exists, each attribute of `held` still holds its value (None: absent or NULL), and with
    `not_human` its `validated_by` does not start with `human:`. Every name goes through a placeholder, so a test can
    read every attribute a write names from ExpressionAttributeNames.
    """
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    set_parts: list[str] = []
    remove_parts: list[str] = []
    for i, (name, value) in enumerate(sets.items()):
        if not owner.owns(name):
            raise NotOwned(f"{owner.entity} attribute {name!r} is not the validator's to write")
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        set_parts.append(f"#s{i} = :s{i}")
    for i, name in enumerate(removes):
        if not owner.owns(name):
            raise NotOwned(f"{owner.entity} attribute {name!r} is not the validator's to remove")
        names[f"#r{i}"] = name
        remove_parts.append(f"#r{i}")
    conditions = ["attribute_exists(PK)"]
    for i, (name, value) in enumerate((held or {}).items()):
        names[f"#h{i}"] = name
        if value is None:
            values[":null"] = "NULL"
            conditions.append(f"(attribute_not_exists(#h{i}) OR attribute_type(#h{i}, :null))")
        else:
            values[f":h{i}"] = value
            conditions.append(f"#h{i} = :h{i}")
    if not_human:
        placeholder = next((k for k, v in names.items() if k.startswith("#h") and v == "validated_by"), "#vb")
        names[placeholder] = "validated_by"
        values[":human"] = HUMAN_PREFIX
        conditions.append(f"NOT begins_with({placeholder}, :human)")
    expression = ("SET " + ", ".join(set_parts) if set_parts else "") + (
        (" REMOVE " if set_parts else "REMOVE ") + ", ".join(remove_parts) if remove_parts else ""
    )
    if not expression:
        raise ValueError("an update must set or remove something")
    return {
        "UpdateExpression": expression,
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": _to_item(values),
    }


def label_held(lb: ReceiptWordLabel) -> dict[str, Any]:
    """What a label verdict judged, as read: its status, who validated it, and the proposal."""
    return {
        "validation_status": lb.validation_status.value,
        "validated_by": lb.validated_by,
        "label_proposed_by": lb.label_proposed_by,
        "timestamp_added": lb.timestamp_added,
    }


def metadata_held(m: ReceiptMetadata) -> dict[str, Any]:
    """What a metadata verdict judged, as read."""
    return {name: getattr(m, name) for name in METADATA_JUDGED}


class StoreError(RuntimeError):
    """A DynamoDB failure the caller should treat as 'not done, retry later'."""


@dataclass(frozen=True)
class PendingReceipt:
    """A receipt holding labels of one status, as found through GSI3, with a cursor that resumes after it."""

    ref: ReceiptRef
    label_count: int
    cursor: str


def make_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A DynamoDB client with adaptive retries (throttling is retried by botocore before it reaches us), and enough
    pooled connections for the overlapped verdict writes (domain/write_pool.py) plus the sweep's readers."""
    cfg = Config(
        retries={"max_attempts": 8, "mode": "adaptive"},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    return boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region or "us-east-1", config=cfg)


def _to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(_plain_to_dynamo(v)) for k, v in data.items()}


def _plain_to_dynamo(v: Any) -> Any:
    if isinstance(v, float):
        return Decimal(str(v))
    if isinstance(v, dict):
        return {k: _plain_to_dynamo(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain_to_dynamo(x) for x in v]
    return v


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _dynamo_to_plain(_de.deserialize(v)) for k, v in item.items()}


def _dynamo_to_plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and "." not in str(v) else float(v)
    if isinstance(v, dict):
        return {k: _dynamo_to_plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dynamo_to_plain(x) for x in v]
    if isinstance(v, set):
        return sorted(_dynamo_to_plain(x) for x in v)
    return v


def _box(data: dict[str, Any] | None) -> BoundingBox | None:
    if not data:
        return None
    if not isinstance(data, dict):
        raise UnreadableItem("bounding_box is not a map")
    return BoundingBox(**{k: float(data[k]) for k in ("x", "y", "width", "height")})


def _box_plain(box: BoundingBox | None) -> dict[str, float] | None:
    return box.model_dump() if box is not None else None


# ---- item <-> entity -------------------------------------------------------------------------------------------


def receipt_item(r: Receipt) -> dict[str, Any]:
    return _to_item({**r.extra, **keys.receipt_keys(r.image_id, r.receipt_id)})


def line_item(ln: ReceiptLine) -> dict[str, Any]:
    data: dict[str, Any] = {**keys.line_keys(ln.image_id, ln.receipt_id, ln.line_id), "text": ln.text}
    if ln.bounding_box is not None:
        data["bounding_box"] = _box_plain(ln.bounding_box)
    if ln.confidence is not None:
        data["confidence"] = ln.confidence
    return _to_item(data)


def word_item(w: ReceiptWord) -> dict[str, Any]:
    data: dict[str, Any] = {**keys.word_keys(w.image_id, w.receipt_id, w.line_id, w.word_id), "text": w.text}
    if w.bounding_box is not None:
        data["bounding_box"] = _box_plain(w.bounding_box)
    if w.confidence is not None:
        data["confidence"] = w.confidence
    return _to_item(data)


def label_item(lb: ReceiptWordLabel) -> dict[str, Any]:
    data: dict[str, Any] = {
        **keys.label_keys(lb.image_id, lb.receipt_id, lb.line_id, lb.word_id, lb.label, lb.validation_status.value),
        "validation_status": lb.validation_status.value,
        "reasoning": lb.reasoning,
        "timestamp_added": lb.timestamp_added or utc_now_iso(),
        "label_proposed_by": lb.label_proposed_by,
        "label_consolidated_from": lb.label_consolidated_from,
    }
    for owned in ("validated_by", "validated_at", "last_verified_at"):
        value = getattr(lb, owned)
        if value is not None:
            data[owned] = value
    return _to_item(data)


def metadata_item(m: ReceiptMetadata) -> dict[str, Any]:
    data: dict[str, Any] = {**keys.metadata_keys(m.image_id, m.receipt_id, m.merchant_name, m.place_id)}
    for name in (
        "merchant_name",
        "address",
        "phone_number",
        "place_id",
        "merchant_category",
        "validated_by",
        "reasoning",
        "timestamp",
    ):
        value = getattr(m, name)
        if value is not None:
            data[name] = value
    if m.validation_status is not None:
        data["validation_status"] = m.validation_status.value
    if m.matched_fields:
        data["matched_fields"] = set(m.matched_fields)
    for k, v in m.canonical.items():
        data[f"canonical_{k}"] = v
    return _to_item(data)


def context_items(context: ReceiptContext) -> list[dict[str, Any]]:
    """Every item of one receipt, as written by import."""
    items = [receipt_item(context.receipt or Receipt(image_id=context.ref.image_id, receipt_id=context.ref.receipt_id))]
    items += [line_item(ln) for ln in context.lines]
    items += [word_item(w) for w in context.words]
    items += [label_item(lb) for lb in context.labels]
    if context.metadata is not None:
        items.append(metadata_item(context.metadata))
    return items


def label_from_item(data: dict[str, Any], parsed: keys.ParsedKey) -> ReceiptWordLabel:
    return ReceiptWordLabel(
        image_id=parsed.image_id,
        receipt_id=parsed.receipt_id,
        line_id=parsed.line_id or 0,
        word_id=parsed.word_id or 0,
        label=parsed.label or "",
        validation_status=ValidationStatus(data.get("validation_status") or "NONE"),
        reasoning=data.get("reasoning"),
        timestamp_added=data.get("timestamp_added"),
        label_proposed_by=data.get("label_proposed_by"),
        label_consolidated_from=data.get("label_consolidated_from"),
        validated_by=data.get("validated_by"),
        validated_at=data.get("validated_at"),
        last_verified_at=data.get("last_verified_at"),
    )


def metadata_from_item(data: dict[str, Any], parsed: keys.ParsedKey) -> ReceiptMetadata:
    return ReceiptMetadata(
        image_id=parsed.image_id,
        receipt_id=parsed.receipt_id,
        merchant_name=data.get("merchant_name"),
        address=data.get("address"),
        phone_number=data.get("phone_number"),
        place_id=data.get("place_id"),
        merchant_category=data.get("merchant_category"),
        matched_fields=list(data.get("matched_fields") or []),
        validated_by=data.get("validated_by"),
        reasoning=data.get("reasoning"),
        timestamp=data.get("timestamp"),
        validation_status=data.get("validation_status") or None,
        validated_fingerprint=data.get(FINGERPRINT_ATTRIBUTE),
        canonical={k[len("canonical_") :]: str(v) for k, v in data.items() if k.startswith("canonical_") and v},
    )


_KEY_ATTRS = {"PK", "SK", "TYPE", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"}


class UnreadableItem(ValueError):
    """An item of a receipt the validator cannot read (unknown status, wrong types): skipped, never fatal."""


def context_from_items(ref: ReceiptRef, items: Iterable[dict[str, Any]]) -> ReceiptContext:
    """Builds a receipt from the raw items of its partition slice.

    Items of other shapes (keys of no known kind) are passed over; items of a known kind that cannot be read (an
    unknown status, a word whose text is not a string, a broken box) are skipped and listed in `context.skipped`, logged
    with their key only, so one bad item never blocks the rest of its receipt.
    """
    context = ReceiptContext(ref=ref)
    for raw in items:
        try:
            _add_item(context, ref, raw)
        except (UnreadableItem, ValidationError, TypeError, ValueError, KeyError, ArithmeticError) as exc:
            sk = raw.get("SK", {}).get("S") if isinstance(raw.get("SK"), dict) else None
            context.skipped.append(str(sk))
            log.warning("item_skipped", extra={"receipt": str(ref), "sk": sk, "error": type(exc).__name__})
    return context


def _add_item(context: ReceiptContext, ref: ReceiptRef, raw: dict[str, Any]) -> None:
    try:
        pk, sk = raw["PK"]["S"], raw["SK"]["S"]
        parsed = keys.parse_keys(pk, sk)
    except (KeyError, TypeError, keys.KeyFormatError):
        log.debug("passing over an item with unexpected keys")
        return
    if parsed.receipt_id != ref.receipt_id:
        return
    data = _from_item(raw)
    if parsed.kind == keys.TYPE_RECEIPT:
        extra = {k: v for k, v in data.items() if k not in _KEY_ATTRS}
        context.receipt = Receipt(image_id=parsed.image_id, receipt_id=parsed.receipt_id, extra=extra)
    elif parsed.kind == keys.TYPE_LINE:
        context.lines.append(
            ReceiptLine(
                image_id=parsed.image_id,
                receipt_id=parsed.receipt_id,
                line_id=parsed.line_id or 0,
                text=_text(data),
                bounding_box=_box(data.get("bounding_box")),
                confidence=data.get("confidence"),
            )
        )
    elif parsed.kind == keys.TYPE_WORD:
        context.words.append(
            ReceiptWord(
                image_id=parsed.image_id,
                receipt_id=parsed.receipt_id,
                line_id=parsed.line_id or 0,
                word_id=parsed.word_id or 0,
                text=_text(data),
                bounding_box=_box(data.get("bounding_box")),
                confidence=data.get("confidence"),
            )
        )
    elif parsed.kind == keys.TYPE_LABEL:
        context.labels.append(label_from_item(data, parsed))
    elif parsed.kind == keys.TYPE_METADATA:
        context.metadata = metadata_from_item(data, parsed)


def _text(data: dict[str, Any]) -> str:
    text = data.get("text", "")
    if not isinstance(text, str):
        raise UnreadableItem("text is not a string")
    return text


# ---- the store -------------------------------------------------------------------------------------------------


TRANSACTION_SIZE = 100  # TransactWriteItems: at most 100 actions ...
TRANSACTION_BYTES = 3_500_000  # ... and 4 MB in all; leave room for the request's own envelope
VERDICT_STATUSES = frozenset({"VALID", "INVALID", "NEEDS_REVIEW"})


@dataclass
class ImportOutcome:
    """What `import_contexts` did."""

    written: int = 0  # new receipts written
    items: int = 0
    skipped: list[ReceiptRef] = field(default_factory=list)  # already in the table: nothing of theirs changed
    kept_items: int = 0  # items of a new receipt that appeared meanwhile: left as they were
    replaced: int = 0
    verdicts_reset: int = 0


def verdicts_reset(existing: list[dict[str, Any]], items: list[dict[str, Any]]) -> int:
    """How many labels now holding a verdict (VALID, INVALID, NEEDS_REVIEW) `items` would put over with another
    status or another `validated_by`."""
    new = {it["SK"]["S"]: it for it in items}
    reset = 0
    for old in existing:
        sk = old.get("SK", {}).get("S")
        status = old.get("validation_status", {}).get("S")
        if sk not in new or status not in VERDICT_STATUSES:
            continue
        replacement = new[sk]
        if any(old.get(name) != replacement.get(name) for name in ("validation_status", "validated_by")):
            reset += 1
    return reset


def _transaction_chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for it in items:
        item_size = len(json.dumps(it))
        if chunk and (len(chunk) == TRANSACTION_SIZE or size + item_size > TRANSACTION_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(it)
        size += item_size
    if chunk:
        yield chunk


class ReceiptStore:
    """Receipts in one DynamoDB table laid out as CONTRACT §1."""

    def __init__(self, table_name: str, client: Any | None = None):
        self.table_name = table_name
        self.client = client or make_client()

    # table
    def create_table(self, *, wait: bool = True) -> bool:
        """Creates the table with its GSIs and stream; False if it already exists."""
        attrs = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "TYPE"]

        def gsi(name: str, hash_key: str, range_key: str | None) -> dict[str, Any]:
            schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
            if range_key:
                schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
            return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}

        try:
            self.client.create_table(
                TableName=self.table_name,
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attrs],
                KeySchema=[
                    {"AttributeName": "PK", "KeyType": "HASH"},
                    {"AttributeName": "SK", "KeyType": "RANGE"},
                ],
                GlobalSecondaryIndexes=[
                    gsi("GSI1", "GSI1PK", "GSI1SK"),
                    gsi("GSI2", "GSI2PK", "GSI2SK"),
                    gsi("GSI3", "GSI3PK", "GSI3SK"),
                    gsi("GSITYPE", "TYPE", None),
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceInUseException":
                return False
            raise
        if wait:
            self.client.get_waiter("table_exists").wait(
                TableName=self.table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200}
            )
        return True

    def describe(self) -> dict[str, Any]:
        return self.client.describe_table(TableName=self.table_name)["Table"]

    def stream_arn(self) -> str | None:
        return self.describe().get("LatestStreamArn")

    # writes
    def write_contexts(self, contexts: Iterable[ReceiptContext]) -> int:
        """Puts whole receipts unconditionally, over whatever is there: seeding fresh tables (demo, tests, bench) and
        `import --replace`. Batched by 25, unprocessed items retried with backoff. `import` uses `import_contexts`."""
        written = 0
        batch: list[dict[str, Any]] = []
        for context in contexts:
            for item in context_items(context):
                batch.append(item)
                if len(batch) == BATCH_WRITE_SIZE:
                    written += self._batch_write(batch)
                    batch = []
        if batch:
            written += self._batch_write(batch)
        return written

    def _batch_write(self, items: list[dict[str, Any]]) -> int:
        requests = [{"PutRequest": {"Item": it}} for it in items]
        for attempt in range(MAX_UNPROCESSED_RETRIES + 1):
            resp = self.client.batch_write_item(RequestItems={self.table_name: requests})
            requests = resp.get("UnprocessedItems", {}).get(self.table_name, [])
            if not requests:
                return len(items)
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
        raise StoreError(f"{len(requests)} items still unprocessed after {MAX_UNPROCESSED_RETRIES} retries")

    def import_contexts(self, contexts: Iterable[ReceiptContext], *, replace: bool = False) -> ImportOutcome:
        """Writes receipts that are not in the table yet; existing ones are skipped, untouched, unless `replace`.

        A new receipt is written with TransactWriteItems (BatchWriteItem cannot carry conditions), every Put
        conditioned on `attribute_not_exists(PK)`, up to 100 items a transaction: a receipt written meanwhile by
        someone else keeps its items (counted in `kept_items`). With `replace`, an existing receipt's items are put
        over whole, and the verdicts that overwrites are counted in `verdicts_reset`.
        """
        outcome = ImportOutcome()
        for context in contexts:
            items = context_items(context)
            existing = self._receipt_items(context.ref, full=replace)
            if existing and not replace:
                outcome.skipped.append(context.ref)
                continue
            if existing:
                outcome.verdicts_reset += verdicts_reset(existing, items)
                outcome.items += self._batch_write(items)
                outcome.replaced += 1
                continue
            written, kept = self._put_new(items)
            outcome.items += written
            outcome.kept_items += kept
            outcome.written += 1
        return outcome

    def _receipt_items(self, ref: ReceiptRef, *, full: bool) -> list[dict[str, Any]]:
        """The receipt's items (`full`), or at most one key of them: enough to know it exists."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
            "ExpressionAttributeValues": _to_item(
                {":pk": keys.image_pk(ref.image_id), ":sk": keys.receipt_prefix(ref.receipt_id)}
            ),
        }
        if full:
            return list(self._query(**kwargs))
        page = self.client.query(TableName=self.table_name, ProjectionExpression="PK, SK", Limit=1, **kwargs)
        return page.get("Items", [])

    def _put_new(self, items: list[dict[str, Any]]) -> tuple[int, int]:
        """(written, kept): conditional Puts in transactions; an item that exists is kept and left out."""
        written = kept = 0
        for chunk in _transaction_chunks(items):
            pending = chunk
            for attempt in range(MAX_UNPROCESSED_RETRIES + 1):
                try:
                    self.client.transact_write_items(
                        TransactItems=[
                            {
                                "Put": {
                                    "TableName": self.table_name,
                                    "Item": it,
                                    "ConditionExpression": "attribute_not_exists(PK)",
                                }
                            }
                            for it in pending
                        ]
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    reasons = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
                    if len(reasons) != len(pending):  # no per-item reasons: settle item by item
                        w, k = self._put_each(pending)
                        written, kept = written + w, kept + k
                        break
                    taken = [it for it, code in zip(pending, reasons, strict=True) if code == "ConditionalCheckFailed"]
                    kept += len(taken)
                    pending = [
                        it for it, code in zip(pending, reasons, strict=True) if code != "ConditionalCheckFailed"
                    ]
                    if not pending:
                        break
                    if not taken:  # a conflict or throttling, not an existing item: back off and retry
                        time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
                    continue
                written += len(pending)
                break
            else:
                raise StoreError(f"{len(pending)} items not written after {MAX_UNPROCESSED_RETRIES} retries")
        return written, kept

    def _put_each(self, items: list[dict[str, Any]]) -> tuple[int, int]:
        written = kept = 0
        for it in items:
            try:
                self.client.put_item(TableName=self.table_name, Item=it, ConditionExpression="attribute_not_exists(PK)")
                written += 1
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                kept += 1
        return written, kept

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus, *, now: str | None = None) -> bool:
        """Sets the verdict if the label still holds what was judged (`label_held`) and is not a person's verdict.

        False (benign, a lost race) if anything judged changed since read. `expected_status` is the status read, which
        `verdict.label` carries too; a mismatch between them is a caller's error and is refused the same way.
        """
        key, arguments = verdict_update(verdict, expected_status, now=now)
        return self._update(key, arguments, f"label {verdict.label.ref} {verdict.label.claim_id}")

    def touch_verified(
        self, label: ReceiptWordLabel, expected_status: ValidationStatus, *, now: str | None = None
    ) -> bool:
        """Records that a label was re-verified and kept, without changing its verdict (same conditions)."""
        return self._update_label(label, {"last_verified_at": now or utc_now_iso()}, expected_status)

    def _update_label(self, lb: ReceiptWordLabel, sets: dict[str, Any], expected: ValidationStatus) -> bool:
        return self._update(_label_key(lb), _label_update(lb, sets, expected), f"label {lb.ref} {lb.claim_id}")

    def _update(self, key: dict[str, Any], arguments: dict[str, Any], what: str) -> bool:
        """One conditional UpdateItem; False when the condition refused it (the item changed since read)."""
        try:
            self.client.update_item(TableName=self.table_name, Key=key, **arguments)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                log.info("lost race on %s: it changed since read", what)
                return False
            raise
        return True

    def apply_metadata_verdict(self, verdict: MetadataVerdict, *, now: str | None = None) -> bool:
        """Sets the validator's metadata attributes while the item still holds the values judged (`metadata_held`).

        The verdict carries the fingerprint of those values, which is how the stream handler tells this write (and
        any later one that leaves them alone) from a change of the data (domain/fingerprint.py).
        """
        m = verdict.metadata
        held = metadata_held(m)
        sets: dict[str, Any] = {
            "validation_status": verdict.status.value,
            "reasoning": verdict.reasoning,
            "validated_by": verdict.validated_by,
            "validated_at": now or utc_now_iso(),
            FINGERPRINT_ATTRIBUTE: metadata_fingerprint(held),
        }
        removes = [keys.LEGACY_MARKER_ATTRIBUTE]
        if verdict.matched_fields:
            sets["matched_fields"] = set(verdict.matched_fields)
        else:
            removes.append("matched_fields")
        for k, v in sorted(verdict.canonical.items()):
            sets[f"canonical_{k}"] = v
        key = _to_item({"PK": keys.image_pk(m.image_id), "SK": keys.metadata_sk(m.receipt_id)})
        return self._update(
            key, owned_update(METADATA_OWNED, sets=sets, removes=removes, held=held), f"metadata {m.ref}"
        )

    # a person's verdict (the review door)
    def apply_human_verdict(
        self,
        seen: ReceiptWordLabel,
        status: ValidationStatus,
        *,
        by: str,
        reasoning: str,
        now: str | None = None,
    ) -> bool:
        """Writes a person's verdict (`validated_by = human:<by>`) only while the label still holds what the person
        saw (status, validated_by, label_proposed_by, timestamp_added); False when it changed since (a stale page)."""
        if status not in (ValidationStatus.VALID, ValidationStatus.INVALID):
            raise ValueError(f"a person settles a label as VALID or INVALID, not {status.value}")
        stamp = now or utc_now_iso()
        gsi3 = keys.label_gsi3(seen.image_id, seen.receipt_id, seen.line_id, seen.word_id, seen.label, status.value)
        sets = {
            "validation_status": status.value,
            "validated_by": human_validator(by),
            "reasoning": reasoning,
            "validated_at": stamp,
            "last_verified_at": stamp,
            "GSI3PK": gsi3["GSI3PK"],
            "GSI3SK": gsi3["GSI3SK"],
        }
        # no `not_human` here: a person may settle a label another person settled, if the page showed that verdict
        return self._update(
            _label_key(seen),
            owned_update(LABEL_OWNED, sets=sets, held=label_held(seen)),
            f"label {seen.ref} {seen.claim_id} (a person's verdict on a stale view)",
        )

    def add_human_label(self, label: ReceiptWordLabel, *, by: str, reasoning: str, now: str | None = None) -> bool:
        """A new label a person put on a word (relabel), VALID by that person; False if the word already has it."""
        stamp = now or utc_now_iso()
        person = human_validator(by)
        item = label_item(
            label.model_copy(
                update={
                    "validation_status": ValidationStatus.VALID,
                    "validated_by": person,
                    "label_proposed_by": person,
                    "reasoning": reasoning,
                    "timestamp_added": stamp,
                    "validated_at": stamp,
                    "last_verified_at": stamp,
                }
            )
        )
        try:
            self.client.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(PK)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def labels_with_status(self, status: ValidationStatus) -> Iterator[ReceiptWordLabel]:
        """Every label of `status`, through GSI3 (projects ALL); unreadable items are skipped."""
        for raw in self._query(
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk",
            ExpressionAttributeValues=_to_item({":pk": keys.status_gsi3pk(status.value)}),
        ):
            data = _from_item(raw)
            try:
                parsed = keys.parse_keys(data["PK"], data["SK"])
                yield label_from_item(data, parsed)
            except (KeyError, ValueError, keys.KeyFormatError):
                log.warning("label item with unexpected keys or status skipped")

    def load_metadata(self, ref: ReceiptRef) -> ReceiptMetadata | None:
        raw = self.client.get_item(
            TableName=self.table_name,
            Key=_to_item({"PK": keys.image_pk(ref.image_id), "SK": keys.metadata_sk(ref.receipt_id)}),
        ).get("Item")
        if not raw:
            return None
        data = _from_item(raw)
        return metadata_from_item(data, keys.parse_keys(data["PK"], data["SK"]))

    # reads
    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """All pages of a Query (one call per page)."""
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, **kwargs):
            yield from page.get("Items", [])

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        """Lines, words, labels and metadata of one receipt from one paginated Query; None if it has no items."""
        items = list(
            self._query(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
                ExpressionAttributeValues=_to_item(
                    {":pk": keys.image_pk(ref.image_id), ":sk": keys.receipt_prefix(ref.receipt_id)}
                ),
            )
        )
        if not items:
            return None
        context = context_from_items(ref, items)
        context.lines.sort(key=lambda ln: ln.line_id)
        context.words.sort(key=lambda w: (w.line_id, w.word_id))
        return context

    def receipts_with_status(
        self,
        status: ValidationStatus = ValidationStatus.PENDING,
        *,
        after: str | None = None,
        page_size: int = 500,
    ) -> Iterator[PendingReceipt]:
        """Receipts holding labels of `status`, through GSI3 (grouped: GSI3SK starts with the receipt's path).

        `after` is a cursor from a previous PendingReceipt: listing resumes with the next receipt.
        """
        condition = "GSI3PK = :pk"
        values: dict[str, Any] = {":pk": keys.status_gsi3pk(status.value)}
        if after:
            condition += " AND GSI3SK > :after"
            values[":after"] = after
        raw = self._query(
            IndexName="GSI3",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=_to_item(values),
            ProjectionExpression="GSI3SK",
            PaginationConfig={"PageSize": page_size},
        )
        yield from _group_by_receipt(r["GSI3SK"]["S"] for r in raw if "GSI3SK" in r)

    def iter_entities(
        self, entity_type: str, *, start: str | None = None, page_size: int = 200
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        """Items of one TYPE through GSITYPE, each with a cursor that resumes after its page (None on the last page)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "GSITYPE",
            "KeyConditionExpression": "#t = :t",
            "ExpressionAttributeNames": {"#t": "TYPE"},
            "ExpressionAttributeValues": _to_item({":t": entity_type}),
            "Limit": page_size,
        }
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        while True:
            page = self.client.query(**kwargs)
            last = page.get("LastEvaluatedKey")
            cursor = json.dumps(last, sort_keys=True) if last else None
            for item in page.get("Items", []):
                yield _from_item(item), cursor
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def iter_receipt_refs(self, entity_type: str = keys.TYPE_RECEIPT) -> Iterator[ReceiptRef]:
        """Every receipt holding an entity of `entity_type` (RECEIPT or RECEIPT_METADATA)."""
        for data, _ in self.iter_entities(entity_type):
            try:
                parsed = keys.parse_keys(data["PK"], data["SK"])
            except (KeyError, keys.KeyFormatError):
                continue
            yield ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id)

    def label_status_counts(self) -> dict[str, dict[str, int]]:
        """{label: {status: count}} over every label, through GSITYPE (projection of the key and status only)."""
        counts: dict[str, dict[str, int]] = {}
        for raw in self._query(
            IndexName="GSITYPE",
            KeyConditionExpression="#t = :t",
            ExpressionAttributeNames={"#t": "TYPE", "#s": "validation_status"},
            ExpressionAttributeValues=_to_item({":t": keys.TYPE_LABEL}),
            ProjectionExpression="SK, #s",
        ):
            sk = raw.get("SK", {}).get("S", "")
            label = sk.rpartition("#LABEL#")[2] or "?"
            status = raw.get("validation_status", {}).get("S", "NONE")
            counts.setdefault(label, {}).setdefault(status, 0)
            counts[label][status] += 1
        return counts


def verdict_update(
    verdict: Verdict, expected_status: ValidationStatus, *, now: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Key, UpdateItem arguments) of a label verdict: the validator's attributes, on the conditions of `label_held`.

    `apply_verdict` sends it as one UpdateItem; the same arguments are what any other way of writing verdicts (the
    transaction measured by bench/stream.py) must send, so every way holds the same conditions.
    """
    lb = verdict.label
    stamp = now or utc_now_iso()
    gsi3 = keys.label_gsi3(lb.image_id, lb.receipt_id, lb.line_id, lb.word_id, lb.label, verdict.status.value)
    sets = {
        "validation_status": verdict.status.value,
        "reasoning": verdict.reasoning,
        "validated_by": verdict.validated_by,
        "validated_at": stamp,
        "last_verified_at": stamp,
        **gsi3,
    }
    return _label_key(lb), _label_update(lb, sets, expected_status)


def _label_update(lb: ReceiptWordLabel, sets: dict[str, Any], expected: ValidationStatus) -> dict[str, Any]:
    held = {**label_held(lb), "validation_status": expected.value}
    return owned_update(LABEL_OWNED, sets=sets, held=held, not_human=True)


def _label_key(lb: ReceiptWordLabel) -> dict[str, Any]:
    return _to_item(
        {"PK": keys.image_pk(lb.image_id), "SK": keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label)}
    )


def receipt_cursor(ref: ReceiptRef) -> str:
    """A GSI3SK that sorts after every label of `ref` and before the next receipt's."""
    return f"{keys.image_pk(ref.image_id)}#{keys.receipt_sk(ref.receipt_id)}#~"


# ---- sweep segments and their cursors --------------------------------------------------------------------------
#
# A full sweep over a GSI3 status partition is split into independent key ranges of GSI3SK, so a Step Functions Map
# can run them in parallel. A segment is named by its lower bound's hex digits after `IMAGE#` ("0".."f" for 16
# segments). The ranges cover every possible key exactly once, whatever the image ids look like: the first segment
# also takes everything below `IMAGE#1`, the last everything from `IMAGE#f` up, and upper-case or non-hex ids fall
# into the segment whose range holds them (for example `IMAGE#A...` sorts between `IMAGE#9` and `IMAGE#a`).

SEGMENT_DIGITS = 1  # hex digits of the image id per segment name: 1 -> 16 segments
HEX = "0123456789abcdef"
SWEEP_STATE_PK_PREFIX = "SWEEP#"  # the validator's own items: where each segment of each sweep resumes


class UnknownSegment(ValueError):
    """A segment name that is not one of `segments()`."""


def segments(digits: int = SEGMENT_DIGITS) -> list[str]:
    """The segment names, in key order: every hex string of `digits` characters."""
    names = [""]
    for _ in range(digits):
        names = [name + h for name in names for h in HEX]
    return names


def segment_range(segment: str) -> tuple[str | None, str | None]:
    """[lower, upper) GSI3SK bounds of a segment; None means unbounded on that side."""
    names = segments(len(segment)) if segment else []
    if segment not in names:
        raise UnknownSegment(f"segment {segment!r} is not one of {names[0]}..{names[-1]}" if names else "empty segment")
    index = names.index(segment)
    lower = None if index == 0 else f"IMAGE#{segment}"
    upper = None if index == len(names) - 1 else f"IMAGE#{names[index + 1]}"
    return lower, upper


def segment_of(gsi3sk: str, digits: int = SEGMENT_DIGITS) -> str:
    """The segment whose range holds this GSI3SK (or cursor)."""
    found = segments(digits)[0]
    for name in segments(digits)[1:]:
        if gsi3sk >= f"IMAGE#{name}":
            found = name
        else:
            break
    return found


def receipts_in_segment(
    store: ReceiptStore,
    status: ValidationStatus,
    segment: str,
    *,
    after: str | None = None,
    page_size: int = 500,
) -> Iterator[PendingReceipt]:
    """Receipts holding labels of `status` whose GSI3SK lies in `segment`, after the cursor `after`, in key order.

    One Query on GSI3 with the segment's bounds in the key condition (BETWEEN is inclusive, so a key equal to the
    upper bound, which belongs to the next segment, is dropped here), so no segment reads another one's items.
    """
    lower, upper = segment_range(segment)
    if after is not None and lower is not None and after < lower:
        after = None  # a cursor behind the segment: start at its beginning
    if after is not None and upper is not None and after >= upper:
        return  # a cursor beyond the segment: nothing of it is left
    start = after if after is not None else lower
    values: dict[str, Any] = {":pk": keys.status_gsi3pk(status.value)}
    if start is not None and upper is not None:
        condition = "GSI3PK = :pk AND GSI3SK BETWEEN :lo AND :hi"
        values.update({":lo": start, ":hi": upper})
    elif start is not None:
        condition = "GSI3PK = :pk AND GSI3SK >= :lo"
        values[":lo"] = start
    elif upper is not None:
        condition = "GSI3PK = :pk AND GSI3SK < :hi"
        values[":hi"] = upper
    else:
        condition = "GSI3PK = :pk"

    def in_range(gsi3sk: str) -> bool:
        if after is not None and gsi3sk <= after:
            return False
        return upper is None or gsi3sk < upper

    raw = store._query(
        IndexName="GSI3",
        KeyConditionExpression=condition,
        ExpressionAttributeValues=_to_item(values),
        ProjectionExpression="GSI3SK",
        PaginationConfig={"PageSize": page_size},
    )
    yield from _group_by_receipt(r["GSI3SK"]["S"] for r in raw if "GSI3SK" in r and in_range(r["GSI3SK"]["S"]))


def _group_by_receipt(gsi3sks: Iterable[str]) -> Iterator[PendingReceipt]:
    """Consecutive GSI3 keys of one receipt become one PendingReceipt; malformed keys are skipped and logged."""
    current: ReceiptRef | None = None
    count = 0
    for gsi3sk in gsi3sks:
        try:
            parsed = keys.parse_gsi3sk(gsi3sk)
        except keys.KeyFormatError:
            log.warning("GSI3 entry with malformed key skipped")
            continue
        ref = ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id)
        if ref != current:
            if current is not None:
                yield PendingReceipt(current, count, receipt_cursor(current))
            current, count = ref, 0
        count += 1
    if current is not None:
        yield PendingReceipt(current, count, receipt_cursor(current))


@dataclass(frozen=True)
class SegmentState:
    """Where one segment of one sweep stands: `cursor` None and `finished` True after a complete pass."""

    sweep: str
    segment: str
    cursor: str | None
    finished: bool
    updated_at: str | None = None


def _state_key(sweep: str, segment: str) -> dict[str, Any]:
    return _to_item({"PK": f"{SWEEP_STATE_PK_PREFIX}{sweep}", "SK": f"SEGMENT#{segment or '-'}"})


def load_segment_state(store: ReceiptStore, sweep: str, segment: str) -> SegmentState | None:
    """The saved position of a segment (None if it never ran). A strongly consistent GetItem of one small item."""
    item = store.client.get_item(TableName=store.table_name, Key=_state_key(sweep, segment), ConsistentRead=True)
    if "Item" not in item:
        return None
    data = _from_item(item["Item"])
    cursor = data.get("cursor")
    return SegmentState(
        sweep=sweep,
        segment=segment,
        cursor=cursor if isinstance(cursor, str) and cursor else None,
        finished=bool(data.get("finished")),
        updated_at=data.get("updated_at"),
    )


def save_segment_state(
    store: ReceiptStore, sweep: str, segment: str, cursor: str | None, *, now: str | None = None
) -> None:
    """Records where a segment stands after a slice: a cursor to resume from, or None when the pass finished.

    The item is the validator's own (PK `SWEEP#<sweep>`, SK `SEGMENT#<segment>`, no TYPE and no index keys), so
    no listing, export or stream filter of the receipts ever sees it. UpdateItem creates it on first use.
    """
    values: dict[str, Any] = {":t": now or utc_now_iso(), ":f": cursor is None}
    expression = "SET updated_at = :t, finished = :f"
    if cursor is None:
        expression += " REMOVE #c"
    else:
        expression += ", #c = :c"
        values[":c"] = cursor
    store.client.update_item(
        TableName=store.table_name,
        Key=_state_key(sweep, segment),
        UpdateExpression=expression,
        ExpressionAttributeNames={"#c": "cursor"},
        ExpressionAttributeValues=_to_item(values),
    )


def human_validator(name: str) -> str:
    """`validated_by` of a person's verdict; the automatic paths never write over such a label."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name) or len(name) > 64:
        raise ValueError("a reviewer's name is 1..64 characters without spaces")
    return f"{HUMAN_PREFIX}{name}"
