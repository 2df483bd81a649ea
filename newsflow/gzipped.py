"""Bounded gunzip, shared by local .gz inputs and gzipped sitemaps."""

from __future__ import annotations

import gzip
import io
import zlib


class GzipTooLarge(ValueError):
    """The decompressed data passed the limit: a gzip bomb, or simply too big."""


class GzipCorrupt(ValueError):
    """Not gzip, truncated or damaged."""


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Decompresses in 1 MiB chunks so a gzip bomb stops at `limit` instead of filling memory."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            while chunk := gz.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise GzipTooLarge(limit)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; EOFError = truncated
        raise GzipCorrupt(str(e)) from None
    return bytes(out)
