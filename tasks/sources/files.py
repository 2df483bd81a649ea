"""Opening a user's input file without trusting it: only regular files are read (a FIFO or a device
named `*.txt` would block or never end), never past a byte limit, and names that are not UTF-8
(`caf\\xe9.txt` on a Linux disk) are shown with escapes, since they cannot be stored as text.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tasks.sources.decoding import Rejected


def shown(path: str | Path) -> str:
    """`path` as storable text: undecodable bytes of its name as \\xNN escapes (os.fsdecode's
    surrogates would make every later encode fail)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def utf8_name(path: str | Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def open_regular(path: str | Path):
    """A binary file object for `path`, or Rejected: opened without blocking (O_NONBLOCK: a FIFO
    without a writer returns at once), then checked on the open descriptor, so a file swapped for a
    FIFO or a device between a stat() and the open is refused too."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise Rejected(f"cannot read file: {os_reason(e)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Rejected("cannot read file: is a directory")
        if not stat.S_ISREG(mode):
            raise Rejected(f"cannot read file: not a regular file ({kind(mode)})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Rejected otherwise (nothing read past it)."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:  # checked before reading: never pull a huge file into memory
            raise Rejected(f"file too large ({size} bytes > limit {limit})")
        try:
            raw = fh.read(limit + 1)
        except OSError as e:
            raise Rejected(f"cannot read file: {os_reason(e)}") from None
    if len(raw) > limit:  # the file grew after fstat()
        raise Rejected(f"file too large (grew past the limit {limit} while being read)")
    return raw


def small_file(path: str | Path, limit: int) -> bytes | None:
    """The file's bytes when it is a regular file small enough to keep as a quarantine payload."""
    try:
        return read_regular(path, limit)
    except Rejected:
        return None


def kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a file"


def os_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    return e.strerror or str(e)
