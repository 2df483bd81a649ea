"""DuckDB extensions load from their PyPI packages with no network (autoinstall off)."""

import duckdb
import pytest

from warehouse import extensions


@pytest.fixture
def con():
    c = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    yield c
    c.close()


def test_spatial_measures_between_places(con):
    path = extensions.load(con, "spatial")
    assert path.name == "spatial.duckdb_extension" and f"v{duckdb.__version__}" in str(path)
    km = con.execute("select ST_Distance_Sphere(ST_Point(41.01, 28.95), ST_Point(50.45, 30.52)) / 1000").fetchone()[0]
    assert 1040 < km < 1065  # Istanbul - Kyiv (this function takes latitude first)


def test_httpfs_reads_over_http(con, httpserver):
    httpserver.expect_request("/places.csv").respond_with_data("name,lat\nIstanbul,41.01\n", content_type="text/csv")
    extensions.load(con, "httpfs")
    assert con.execute(f"select * from read_csv('{httpserver.url_for('/places.csv')}')").fetchall() == [
        ("Istanbul", 41.01)]


def test_ducklake_catalog_on_local_files(con, tmp_path):
    extensions.load(con, "ducklake")
    con.execute(f"attach 'ducklake:{tmp_path / 'catalog.ducklake'}' as lake (data_path '{tmp_path / 'data'}')")
    con.execute("create table lake.t as select range as x from range(100000)")
    assert con.execute("select count(*), max(x) from lake.t").fetchall() == [(100000, 99999)]
    assert list((tmp_path / "data").rglob("*.parquet"))  # the rows are Parquet files


def test_a_missing_extension_says_how_to_install_it():
    with pytest.raises(extensions.ExtensionMissing, match=r"pip install 'duckdb-extension-nosuch==1\.5"):
        extensions.extension_path("nosuch")
    with pytest.raises(extensions.ExtensionMissing, match="not an extension name"):
        extensions.extension_path("../etc")
