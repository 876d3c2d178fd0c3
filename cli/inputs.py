"""Reading a batch given on the command line (`--file FILE|-`) within the documented limits: a
file too large is refused before it is read, a batch with too many items before any is checked."""

from __future__ import annotations

import os
import sys

from comptoir.errors import fail
from comptoir.schemas.types import MAX_BATCH, MAX_BATCH_BYTES


def _too_large(display: str) -> Exception:
    return fail("batch-too-large", f"{display} is larger than {MAX_BATCH_BYTES // (1024 * 1024)} MiB, "
                "the limit for one batch", f"split it into batches of at most {MAX_BATCH:,} items", file=display)


def read_text(file_: str, encoding: str = "utf-8") -> tuple[str, str]:
    """(text, name to show) of FILE, or of stdin for '-'."""
    if file_ == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(MAX_BATCH_BYTES + 1) if stream is not None else \
            sys.stdin.read(MAX_BATCH_BYTES + 1).encode(encoding, "surrogateescape")
        display = "<stdin>"
    else:
        display = file_
        try:
            if os.stat(file_).st_size > MAX_BATCH_BYTES:
                raise _too_large(display)
            with open(file_, "rb") as fh:
                data = fh.read(MAX_BATCH_BYTES + 1)
        except OSError as exc:
            raise fail("unreadable-file", f"cannot read {file_}: {(exc.strerror or str(exc)).lower()}",
                       "check the path (a file, not a folder) and its permissions") from None
    if len(data) > MAX_BATCH_BYTES:
        raise _too_large(display)
    try:
        return data.decode(encoding), display
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise fail("encoding", f"{display} is not UTF-8 text (byte {exc.start + 1}, line {line})",
                   "save or export the file as UTF-8", file=display, line=line) from None


def check_count(count: int, display: str, what: str = "items") -> None:
    """Refuse a batch of more than MAX_BATCH items, naming the limit."""
    if count > MAX_BATCH:
        raise fail("batch-too-large", f"the batch holds {count:,} {what}; the limit is {MAX_BATCH:,} per batch",
                   f"split it into batches of at most {MAX_BATCH:,} {what}", file=display, line=1)
