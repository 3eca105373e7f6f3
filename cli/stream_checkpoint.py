"""Where the local stream reader stopped, per stream ARN and shard, kept across runs (as an event source mapping does).

One small JSON file (the user's cache directory by default, or `stream --checkpoint FILE`):
`{"version": 1, "streams": {ARN: {SHARD_ID: {"after": SEQ} | {"at": SEQ}}}}` — `after` once every record up to SEQ was
handled (sent to the handler, filtered out, or put on the on-failure list); `at` when SEQ was read but not yet handled
(a run interrupted with records buffered or in flight), so the next run starts with it. Written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cli.exit_codes import UsageError

FILE_VERSION = 1


@dataclass(frozen=True)
class Position:
    sequence: str
    at: bool = False  # True: start AT this record (not yet handled); False: start AFTER it

    def as_dict(self) -> dict[str, str]:
        return {"at" if self.at else "after": self.sequence}


def default_path() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("receipt-validator") / "stream-checkpoints.json"


class CheckpointFile:
    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": FILE_VERSION, "streams": {}}
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"stream checkpoint file {self.path} is unreadable ({exc}); start over with --from trim-horizon"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("streams"), dict):
            raise UsageError(f"stream checkpoint file {self.path} is not a checkpoint file; pass another --checkpoint")
        return data

    def load(self, stream_arn: str) -> dict[str, Position]:
        shards = self._read()["streams"].get(stream_arn) or {}
        out: dict[str, Position] = {}
        for shard_id, entry in shards.items():
            if isinstance(entry, dict) and isinstance(entry.get("after"), str):
                out[shard_id] = Position(entry["after"])
            elif isinstance(entry, dict) and isinstance(entry.get("at"), str):
                out[shard_id] = Position(entry["at"], at=True)
        return out

    def check_writable(self) -> None:
        """Before reading any record: the directory can be made and written (else exit 2)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {self.path.parent} for the stream checkpoint: {exc.strerror}") from None
        if not os.access(self.path.parent, os.W_OK):
            raise UsageError(f"cannot write the stream checkpoint in {self.path.parent}")

    def save(self, stream_arn: str, positions: dict[str, Position]) -> None:
        data = self._read()
        data["version"] = FILE_VERSION
        data["streams"][stream_arn] = {shard: p.as_dict() for shard, p in sorted(positions.items())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
