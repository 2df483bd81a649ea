"""What the paths, folders and globs a user gives stand for: the input files, the rejects
(quarantine rows) and what was skipped on purpose, which the run summary lists.

Skipped, never read: hidden files and folders (`.git`, `.DS_Store`), and newsflow's own outputs when
they sit inside an input folder (`newsflow run data/` beside `data/newsflow.duckdb`): the DuckDB file
and its sidecars (`.wal`, `.lock`, `.tmp`), and the lake, Data Docs and report folders of the run's
settings. Symlinked folders are followed, each real folder once (a link loop is read once, not
forever). Rejected: names that are not UTF-8, symlink loops, broken links, unsupported types.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

from newsflow.batches import Quarantined
from newsflow.config import Settings
from tasks.sources import STAGE
from tasks.sources.files import os_reason, shown, small_file, utf8_name

_GLOB_CHARS = re.compile(r"[*?\[]")
HIDDEN = "hidden (name starts with '.')"
OUTPUT = "newsflow's own output (the warehouse file, its sidecars, lake, docs or reports)"
SEEN_DIR = "a folder already read through another path (symlink)"


@dataclass
class Found:
    files: list[Path] = field(default_factory=list)
    warcs: list[Path] = field(default_factory=list)  # ingest does not read them: the plan sends them to warc
    rejected: list[Quarantined] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> paths, as given

    def skip(self, why: str, path: Path | str) -> None:
        self.skipped.setdefault(why, []).append(shown(path))


class Outputs:
    """The warehouse's own files and output folders, recognised by identity (device, inode), so a
    relative, absolute or symlinked spelling of them is skipped alike."""

    def __init__(self, settings: Settings):
        self.ids: set[tuple[int, int]] = set()
        self.db_dir: tuple[int, int] | None = None
        db = str(settings.db_path)
        self.db_name = None if db == ":memory:" else Path(db).name
        if self.db_name is None:
            return
        db_path = Path(db).expanduser()
        self.db_dir = _identity(db_path.parent)
        folders = [settings.lake_path, settings.docs_path, settings.reports_path]
        for path in [db_path, *(Path(f"{db_path}{s}") for s in (".wal", ".lock", ".tmp")), *folders]:
            if path is not None and (ident := _identity(Path(path).expanduser())) is not None:
                self.ids.add(ident)

    def owns(self, path: Path, ident: tuple[int, int] | None) -> bool:
        if ident is not None and ident in self.ids:
            return True
        name = path.name
        return (self.db_name is not None and (name == self.db_name or name.startswith(self.db_name + "."))
                and self.db_dir is not None and _identity(path.parent) == self.db_dir)


def find(paths: Sequence[str | Path], settings: Settings | None = None) -> Found:
    """Sorted, de-duplicated input files under `paths`, plus rejects and skips."""
    from tasks.fetch.warc import is_warc
    from tasks.sources.ingest import format_of  # ingest owns the formats; it does not import us

    settings = settings or Settings()
    outputs = Outputs(settings)
    out = Found()
    found: dict[str, Path] = {}
    seen: set = set()
    for given in paths:
        for candidate in _expand(str(given), out, outputs):
            ident = _identity(candidate)
            key = ident or os.path.abspath(candidate)
            if key in seen:
                continue
            seen.add(key)
            if (why := _unreadable(candidate)) is not None:
                out.rejected.append(Quarantined(STAGE, shown(candidate), why, None))
            elif not utf8_name(candidate):
                out.rejected.append(Quarantined(
                    STAGE, shown(candidate), "file name is not valid UTF-8 (shown here with \\x escapes): "
                    "rename the file to read it; its bytes are kept as the payload (quarantine --retry reads them)",
                    small_file(candidate, settings.max_doc_bytes)))
            elif outputs.owns(candidate, ident):
                out.skip(OUTPUT, candidate)
            elif format_of(candidate) is None:
                if is_warc(candidate):
                    out.warcs.append(candidate)
                else:
                    out.rejected.append(unsupported(candidate, settings))
            else:
                found[os.path.abspath(candidate)] = candidate
    out.files = sorted(found.values())
    out.warcs.sort()
    return out


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _unreadable(path: Path) -> str | None:
    """Why a path cannot even be looked at (a symlink loop, a broken link), else None."""
    try:
        os.stat(path)
        return None
    except OSError as e:
        if e.errno == errno.ENOENT and os.path.islink(path):
            return f"broken symlink: its target {shown(os.readlink(path))} does not exist"
        return f"cannot read file: {os_reason(e)}"


def _expand(text: str, out: Found, outputs: Outputs) -> list[Path]:
    """The files one user-given path, folder or glob stands for; a miss is quarantined."""
    path = Path(text).expanduser()
    try:
        if path.is_dir():
            return _walk(path, out, outputs)
        if path.exists() or path.is_symlink():
            return [path]
    except OSError as e:  # e.g. a path inside a folder we may not list, a symlink loop
        out.rejected.append(Quarantined(STAGE, shown(text), f"cannot read path: {os_reason(e)}", None))
        return []
    if not _GLOB_CHARS.search(text):
        out.rejected.append(Quarantined(STAGE, shown(text), f"path not found: {shown(text)}", None))
        return []
    files = []
    for match in map(Path, sorted(glob(os.path.expanduser(text), recursive=True))):
        files += _walk(match, out, outputs) if match.is_dir() else [match]
    if not files:
        out.rejected.append(Quarantined(STAGE, shown(text), f"path not found: no file matches the glob "
                                                            f"{shown(text)}", None))
    return files


def _walk(folder: Path, out: Found, outputs: Outputs) -> list[Path]:
    """Files under `folder` in a stable order; symlinked folders followed, each real folder once."""
    def unreadable(err: OSError) -> None:
        out.rejected.append(Quarantined(STAGE, shown(err.filename), f"cannot read folder: {os_reason(err)}",
                                        None))

    root_id = _identity(folder)
    if outputs.owns(folder, root_id):
        out.skip(OUTPUT, folder)
        return []
    visited = {root_id}
    files = []
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=True):
        kept = []
        for d in sorted(dirs):
            sub = Path(root, d)
            ident = _identity(sub)
            if d.startswith("."):
                out.skip(HIDDEN, sub)
            elif outputs.owns(sub, ident):
                out.skip(OUTPUT, sub)
            elif ident in visited:
                out.skip(SEEN_DIR, sub)
            else:
                visited.add(ident)
                kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            if name.startswith("."):
                out.skip(HIDDEN, Path(root, name))
            else:
                files.append(Path(root, name))
    return files


def unsupported(path: Path, settings: Settings) -> Quarantined:
    from tasks.sources.ingest import SUPPORTED

    name = path.name.lower()
    gz = name.endswith(".gz")
    suffix = Path(name[:-3] if gz else name).suffix + (".gz" if gz else "")
    reason = f"unsupported file type '{suffix or '(none)'}' (supported: {SUPPORTED})"
    # the bytes are kept if small; FIFOs and devices are never opened for it (files.open_regular)
    return Quarantined(STAGE, shown(path), reason, small_file(path, settings.max_doc_bytes))


def summarise(skipped: dict[str, list[str]], examples: int = 3) -> list[dict]:
    """The skips for the run summary: per reason, how many and a few paths."""
    return [{"reason": why, "count": len(paths), "examples": paths[:examples]}
            for why, paths in skipped.items()]
