"""Actor dictionary: who is who, so "President Bill Clinton imposed sanctions" codes its source USA.

The packaged data is `tasks/events/actors.csv`, plain CSV with the header
`name,country,sector,role,start_year,end_year,aliases`:

- name: the person's common English full name ("Recep Tayyip Erdogan").
- country: ISO 3166-1 alpha-3 of the state served (historic states under their successor: USSR -> RUS,
  Yugoslavia -> SRB, Czechoslovakia -> CZE); IGO for heads of intergovernmental organisations.
- sector: GOV for state office holders, empty for IGO heads.
- role: the main office ("president", "prime minister", "foreign minister", "UN secretary-general").
- start_year, end_year: years of the office; end empty while in office (as of the data's writing).
  One row per person and country: the first start and the last end of their offices.
- aliases: ';'-separated other spellings and short names used in news ("Erdoğan;Tayyip Erdogan").

Scope: heads of state and government since 1980 of the G20, the P5 and frequent UN Security Council
members, the Middle East and North Africa, countries over ~25 million people, former Yugoslavia and
the former USSR; the current heads of state and government of every UN member; P5 foreign and defence
ministers since 1990 and those of Ukraine, Israel, Iran and Turkey since 2010; heads of the UN, NATO,
EU, IAEA, WHO, IMF, World Bank, Arab League, African Union Commission and OSCE since 1980. Written from
general knowledge, sorted by country then start year.

Lookup keys are folded (ASCII, lower case, transliteration endings as in `tasks.entities.names.fold_token`,
possessive and leading titles dropped). A full name or alias matches first; a lone surname matches
when every person with that surname serves the same country. A user CSV with the same columns
(setting `actor_dictionary`) is read on top: its rows replace packaged rows of the same name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tasks.entities.names import ascii_fold, fold_token

PACKAGED = Path(__file__).with_name("actors.csv")
COLUMNS = ["name", "country", "sector", "role", "start_year", "end_year", "aliases"]

# Leading words that are a title, not a name ("President Putin", "Crown Prince Mohammed"). "Vice" and
# "deputy" go with the rest of the title: what remains of "Vice-President X" is X's own name, which
# must match by itself; the title never leaves a key like "president" that could reach a president.
TITLES = {
    "vice", "deputy", "president", "prime", "minister", "premier", "chancellor", "king", "queen", "emir", "amir",
    "sheikh", "sheik", "shaikh", "sultan", "crown", "prince", "princess", "mr", "mrs", "ms", "dr",
    "gen", "general", "lt", "col", "colonel", "field", "marshal", "adm", "admiral", "ayatollah",
    "grand", "supreme", "leader", "foreign", "defence", "defense", "secretary", "state", "of", "the",
    "chairman", "chairwoman", "sir", "dame", "lord", "his", "her", "majesty", "highness", "excellency",
    "former", "late", "us", "u", "s", "uk", "un", "nato", "eu", "who", "imf", "iaea", "osce",
    "senor", "herr", "madame", "monsieur", "mme", "m", "generalissimo", "pope", "interim", "acting",
    "caretaker", "incumbent", "head", "chief", "executive", "director", "commission",
}
# Surnames (and name words) so widespread that alone they name nobody, even when every bearer in
# the dictionary happens to serve one country ("Singh": three Indian office holders, many others).
COMMON_SURNAMES = {
    "singh", "kumar", "khan", "ali", "ahmed", "ahmad", "mohammed", "mohamed", "muhammad", "mohammad",
    "hassan", "hasan", "hussein", "husain", "abdullah", "ibrahim", "rahman", "hossain", "islam",
    "kim", "lee", "park", "nguyen", "wang", "zhang", "chen", "liu", "yang", "huang", "zhao",
    "abdulaziz", "saud", "thani", "nahyan", "maktoum", "khalifa", "sabah", "said", "salman",
}
_POSSESSIVE = re.compile(r"(?<=\w)['’]s?(?=\s|$)")


@dataclass(frozen=True)
class KnownActor:
    name: str
    country: str
    sector: str | None
    role: str
    start_year: int | None
    end_year: int | None

    def covers(self, year: int) -> bool:
        """In office in `year`, give or take one (news dates and office years are both coarse)."""
        start = self.start_year if self.start_year is not None else -10_000
        end = self.end_year if self.end_year is not None else 10_000
        return start - 1 <= year <= end + 1


def _tokens(text: str) -> list[str]:
    """Folded tokens of a name: no possessive, ASCII, lower case, one transliteration spelling."""
    folded = ascii_fold(_POSSESSIVE.sub("", text))
    return [t for t in (fold_token(w) for w in folded.split()) if t]


@lru_cache(maxsize=100_000)
def _own_key(text: str) -> str:
    """Key of a name as written (dictionary names and aliases are never title-stripped)."""
    return " ".join(_tokens(text))


@lru_cache(maxsize=100_000)
def _stripped(text: str) -> tuple[str, int]:
    """(key, written words) of a mention without its leading titles; ("", 0) for a bare title."""
    words = _POSSESSIVE.sub("", text).split()
    i = 0
    while i < len(words) and set(ascii_fold(words[i]).split()) <= TITLES:
        i += 1
    return _own_key(" ".join(words[i:])), len(words) - i


def key(text: str) -> str:
    """The lookup key of a mention: folded, without possessive and leading titles."""
    return _stripped(text)[0]


class ActorDictionary:
    """Full-name/alias and surname indexes over the known actors; every lookup is a dict lookup."""

    def __init__(self, rows: list[tuple[KnownActor, list[str]]]):
        self.actors = [actor for actor, _ in rows]
        self._full: dict[str, list[KnownActor]] = {}
        surnames: dict[str, list[KnownActor]] = {}
        common = {_own_key(s) for s in COMMON_SURNAMES}  # folded alike: "abdullah" -> "abdulah"
        for actor, aliases in rows:
            for spelling in [actor.name, *aliases]:
                k = _own_key(spelling)
                if not k:
                    continue
                if actor not in self._full.setdefault(k, []):
                    self._full[k].append(actor)
                # The last written word, hyphens kept together: "Dlamini-Zuma" is not "Zuma".
                last = _own_key(spelling.split()[-1])
                if len(last) > 3 and last not in common \
                        and actor not in surnames.setdefault(last, []):
                    surnames[last].append(actor)
        # A surname names someone only when all its bearers serve one country ("Bush" -> USA).
        self._surname = {s: people for s, people in surnames.items()
                         if len({p.country for p in people}) == 1}

    def __len__(self) -> int:
        return len(self.actors)

    def lookup(self, name: str, year: int | None = None) -> KnownActor | None:
        if not name:
            return None
        # As written first: an alias may carry its title ("King Salman", "Sheikh Hasina").
        found = self._full.get(_own_key(name))
        if found is not None:
            return _choose(found, year)
        k, words = _stripped(name)
        if not k:
            return None
        found = self._full.get(k)
        if found is not None:
            return _choose(found, year)
        if words == 1 and k in self._surname:  # one written word: a lone surname
            return _choose(self._surname[k], year)
        return None


def _choose(people: list[KnownActor], year: int | None) -> KnownActor | None:
    """One person for a key: whoever is in office in `year`; across countries only if that decides."""
    if len(people) == 1:
        return people[0]
    if year is not None:
        serving = [p for p in people if p.covers(year)]
        if serving and len({p.country for p in serving}) == 1:
            return _latest(serving)
    if len({p.country for p in people}) == 1:
        return _latest(people)
    return None


def _latest(people: list[KnownActor]) -> KnownActor:
    return max(people, key=lambda p: p.start_year or 0)


def _year(value: str, where: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 1800 <= int(value) <= 2100:
        raise ValueError(f"{where}: year {value!r} is not a year")
    return int(value)


def read_csv(path: Path) -> list[tuple[KnownActor, list[str]]]:
    """Rows of an actors CSV; a missing file or a bad row raises ValueError naming file and line."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ValueError(f"actor dictionary {path}: cannot read it ({exc.strerror})") from exc
    rows = []
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != COLUMNS:
            raise ValueError(f"{path}, line 1: header must be {','.join(COLUMNS)}, got {header}")
        for cells in reader:
            where = f"{path}, line {reader.line_num}"
            if not cells or not any(c.strip() for c in cells):
                continue
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{where}: {len(cells)} fields, expected {len(COLUMNS)}")
            name, country, sector, role, start, end, aliases = (c.strip() for c in cells)
            if not name or not _own_key(name):
                raise ValueError(f"{where}: empty name")
            if not re.fullmatch(r"[A-Z]{3}", country):
                raise ValueError(f"{where}: country {country!r} is not an alpha-3 code or IGO")
            actor = KnownActor(name, country, sector or None, role, _year(start, where),
                               _year(end, where))
            if actor.start_year and actor.end_year and actor.end_year < actor.start_year:
                raise ValueError(f"{where}: end year {actor.end_year} before start {actor.start_year}")
            rows.append((actor, [a.strip() for a in aliases.split(";") if a.strip()]))
    return rows


@lru_cache(maxsize=1)
def _packaged_rows() -> tuple[tuple[KnownActor, list[str]], ...]:
    return tuple(read_csv(PACKAGED))


@lru_cache(maxsize=1)
def _packaged() -> ActorDictionary:
    return ActorDictionary(list(_packaged_rows()))


def load(extra: Path | None = None) -> ActorDictionary:
    """The packaged dictionary, plus the user's CSV `extra` whose rows win on the same name. Built once
    per version of the user's file: every batch of a run asks for it."""
    if extra is None:
        return _packaged()
    try:
        stat = Path(extra).stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None  # read_csv says what is wrong with the path
    return _with_user(str(extra), version)


@lru_cache(maxsize=4)
def _with_user(extra: str, version: tuple[int, int] | None) -> ActorDictionary:
    user = read_csv(Path(extra))
    replaced = {_own_key(actor.name) for actor, _ in user}
    kept = [row for row in _packaged_rows() if _own_key(row[0].name) not in replaced]
    return ActorDictionary(kept + user)
