import pytest

from newsflow.countries import country_code, country_name


@pytest.mark.parametrize("name, code", [
    ("Russia", "RUS"), ("the Kremlin", "RUS"), ("Russian", "RUS"), ("Ukrainians", "UKR"),
    ("Kyiv", "UKR"), ("Turkey", "TUR"), ("Türkiye", "TUR"), ("Turkish", "TUR"), ("U.S.", "USA"),
    ("United States", "USA"), ("American", "USA"), ("Washington", "USA"), ("Germany’s", "DEU"),
    ("Ankara", "TUR"), ("Paris", "FRA"), ("Viet Nam", "VNM"), ("Iran, Islamic Republic of", "IRN"),
])
def test_country_codes(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["Istanbul", "Hakan Fidan", "", None, "Western"])
def test_not_a_country(name):
    assert country_code(name) is None


def test_country_name():
    assert country_name("TUR") in {"Turkey", "Türkiye"}
