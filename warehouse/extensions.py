"""DuckDB extensions loaded offline from their PyPI packages (`duckdb-extension-<name>`).

DuckDB's own `INSTALL` downloads from extensions.duckdb.org, which a newsflow machine usually cannot
reach. The `duckdb-extension-*` wheels ship the binary at
`duckdb_extension_<name>/extensions/v<duckdb version>/<name>.duckdb_extension`; `LOAD '<that path>'`
needs no network. A wheel only fits the DuckDB version it was built for (hence duckdb==1.5.5 pinned).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

# The ones newsflow documents and tests; any other duckdb-extension-<name> package works the same way.
KNOWN = {
    "httpfs": "newsflow[httpfs]",      # read/write s3://, gs://, https:// (the lake on object storage)
    "spatial": "newsflow[spatial]",    # ST_* functions over entities.latitude/longitude
    "ducklake": "newsflow[ducklake]",  # a DuckLake catalog (many writers over Parquet)
}


class ExtensionMissing(ValueError):
    """The extension's package is not installed, or not for this DuckDB version."""


def extension_path(name: str) -> Path:
    """The `.duckdb_extension` file of `name` inside its installed package, for this DuckDB."""
    if not name.isidentifier():
        raise ExtensionMissing(f"not an extension name: {name!r}")
    package = f"duckdb_extension_{name}"
    hint = KNOWN.get(name, f"duckdb-extension-{name}=={duckdb.__version__}")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionMissing(f"DuckDB extension {name!r} is not installed: pip install '{hint}'")
    root = Path(next(iter(spec.submodule_search_locations))) / "extensions"
    path = root / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        built = sorted(p.name for p in root.glob("v*")) if root.is_dir() else []
        raise ExtensionMissing(f"DuckDB extension {name!r} is installed for DuckDB {', '.join(built) or '?'}, "
                               f"not {duckdb.__version__}: pip install 'duckdb-extension-{name}=={duckdb.__version__}'")
    return path


def load(con: duckdb.DuckDBPyConnection, name: str) -> Path:
    """LOADs `name` into `con` from its package (no download); returns the file it loaded."""
    path = extension_path(name)
    con.execute("load '" + str(path).replace("'", "''") + "'")
    return path


def load_all(con: duckdb.DuckDBPyConnection, names) -> None:
    for name in names:
        load(con, name)
