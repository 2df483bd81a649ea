"""One writer at a time: a lock file beside the DuckDB file, held for a whole writing run.

DuckDB itself refuses a second writing process with an IOException; the lock file turns that into
a queue with a deadline and a clear message. The OS releases the lock when its holder dies (even by
SIGKILL), so a crashed run never leaves the warehouse locked.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from warehouse import db
from warehouse.db import WarehouseBusy

log = logging.getLogger(__name__)
_POLL = 0.5


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


@contextmanager
def writer_lock(db_path: str | Path, timeout: float, logger: logging.Logger | None = None):
    """Holds the warehouse's writer lock; waits up to `timeout` seconds, then raises WarehouseBusy."""
    logger = logger or log
    if str(db_path) == ":memory:":
        yield
        return
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.warning("another newsflow run is writing %s; waiting up to %ss for it to finish",
                       db_path, timeout)
        try:
            lock.acquire(timeout=timeout, poll_interval=_POLL)
        except Timeout:
            raise WarehouseBusy(
                f"the warehouse {db_path} is still being written by another newsflow run after "
                f"waiting {timeout:g}s (lock file {path}); try again when it has finished"
            ) from None
    try:
        yield
    finally:
        lock.release()


def connect_writer(db_path: str | Path, timeout: float, logger: logging.Logger | None = None):
    """Opens the warehouse for writing; waits while a reader (`newsflow sql`) holds DuckDB's lock."""
    deadline = time.monotonic() + timeout
    warned = False
    while True:
        try:
            return db.connect(db_path)
        except WarehouseBusy:
            if time.monotonic() >= deadline:
                raise
            if not warned:
                (logger or log).warning("%s is open in another process (pid %s waits); retrying for %ss",
                                        db_path, os.getpid(), timeout)
                warned = True
            time.sleep(_POLL)
