"""Files a run's settings point at (your actor dictionary, your entity overrides), shipped with each
analyse task when the workers run on other machines, where those paths do not exist.

The packaged resources (model, gazetteers, tasks/events/actors.csv) are installed with newsflow on
every worker; only the files you named travel, as bytes, and are written once per content there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsflow.config import Settings

SHIPPED = ("actor_dictionary", "entity_overrides")


@dataclass(frozen=True)
class Shipped:
    files: tuple[tuple[str, str, bytes], ...]  # (setting, file name, content)


def pack(settings: Settings) -> Shipped | None:
    """The user's files of `settings`, read on the writer (None when there are none)."""
    files = tuple((name, Path(path).name, Path(path).read_bytes())
                  for name in SHIPPED if (path := getattr(settings, name)) is not None and Path(path).exists())
    return Shipped(files) if files else None


def unpack(settings: Settings, shipped: Shipped | None, folder: Path | None = None) -> Settings:
    """`settings` pointing at local copies of the shipped files (written once per content)."""
    if shipped is None:
        return settings
    folder = folder or Path(tempfile.gettempdir()) / "newsflow-shipped"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, filename, content in shipped.files:
        path = folder / f"{hashlib.sha256(content).hexdigest()[:16]}-{filename}"
        if not path.exists():  # same content, same name: a later batch reuses the copy (and its caches)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        paths[name] = path
    return dataclasses.replace(settings, **paths)
