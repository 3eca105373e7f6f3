"""The event source mapping's batch size, shared by the Pulumi program (infra/config.py) and the local stream reader
(cli/stream_reader.py, `receipt-validator stream`), so the two read the stream in the same batches.

25 records: a receipt's labels are written together (an import, a labelling run), and a batch that ends inside a
receipt makes the next invocation load that receipt again and ask again about the labels the first one left PENDING.
Measured on DynamoDB Local (bench/load.py, 400 receipts of ~11 stream records each, batch 10/25/25/10): 445 -> 192
invocations, 1,408 -> 1,196 Queries, stream 143 -> 172-174 labels/s. Still small (principle 8): two or three receipts
per invocation, with the time reserve (STREAM_TIME_RESERVE_MS) deferring any receipt that could not finish.
"""

from __future__ import annotations

BATCH_SIZE = 25
