"""Rebuilds the derived dictionary files of this folder from the published originals.

    .venv/bin/python -m tasks.events.dictionaries.build /path/to/event-dictionaries

The originals are the Open Event Data Alliance's PETRARCH2 / Phoenix dictionaries (MIT, see
LICENSE-petrarch2) and the PLOVER CAMEO→PLOVER table (CC BY-SA 4.0, see NOTICE-plover.md), plus GDELT's
Goldstein table. Nothing here is edited by hand: an update of the originals is a re-run of this script.

Written here (all UTF-8, sorted, so a re-run on the same originals gives the same bytes):
- verbs.json      CAMEO verb dictionary: verb forms -> their block and own code; per block its default code
                  and its patterns, each reduced to what the parse can check (words before the verb, words
                  after it, prepositional phrases) with synonym sets expanded into lists of words.
- agents.json     role nouns (singular and plural) -> agent code ("~GOV": the sector follows the actor's
                  country; "NGO~": the code stands before it).
- actors.json     {"country"|"international"|"nonstate": [[phrases], [[code, start, end], ...]]}: actor
                  records with their dated roles (ISO dates, null for open ends).
- discards.json   phrases whose sentence (or whole story, `story`) is not an event: sport, entertainment.
- cameo_plover.csv  CAMEO code -> PLOVER category, mode, context, CAMEO description.
- goldstein.csv   CAMEO code -> Goldstein score.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
_COMMENT = re.compile(r"<!--.*?-->")


def _strip(line: str) -> str:
    """A dictionary line without its comments (`#`, TABARI's `;`, `<!-- -->`)."""
    line = _COMMENT.sub("", line)
    return line.split("#", 1)[0].split(";", 1)[0].rstrip()


def _phrase(raw: str) -> str:
    """A dictionary phrase as lower-case words separated by single spaces ("U.N._SECRETARY" -> "u.n. secretary")."""
    return " ".join(raw.replace("_", " ").lower().split())


def _plurals(word: str) -> list[str]:
    """PETRARCH's regular plurals of the last word of a phrase (none for a phrase ending in `_`)."""
    if word.endswith("_") or not word or not word[-1].isalpha():
        return []
    if word.endswith("Y") and len(word) > 1 and word[-2] not in "AEIOU":
        return [word[:-1] + "IES"]
    if word.endswith(("SS", "S", "X", "CH", "SH")):
        return [word + "ES"] if word.endswith(("SS", "X", "CH", "SH")) else []
    return [word + "S"]


# ---- the verb dictionary -------------------------------------------------------------------------

_BLOCK = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]")
_COMMENT_VERB = re.compile(r"(?:^|,)\s*([A-Z][A-Z_]+)\b(?=\s*(?:,|$))")  # "# URGE", "# CONTINUE , CONTINUE"
_NAMED_MIN = 3
_CODE = re.compile(r"\[([^\]]*)\]")


def _synsets(lines: list[str]) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    current = None
    for raw in lines:
        line = _strip(raw).strip()
        if not line:
            continue
        if line.startswith("&"):
            current = line.split()[0].rstrip("_")
            sets[current] = []
            no_plural = line.split()[0].endswith("_")
        elif line.startswith("+") and current:
            word = line[1:].strip()
            sets[current].append(_phrase(word))
            if not no_plural:
                sets[current] += [_phrase(w) for w in _plural_phrase(word)]
    return {k: sorted(set(v)) for k, v in sets.items()}


def _plural_phrase(phrase: str) -> list[str]:
    words = phrase.replace("_", " ").split()
    if not words or phrase.endswith("_"):
        return []
    return [" ".join(words[:-1] + [p]) for p in _plurals(words[-1])]


def _alternatives(tok: str, synsets: dict[str, list[str]]) -> list[str] | None:
    """The phrases one pattern word stands for: a synset's members, or the word and its plural."""
    if tok.startswith("&"):
        return synsets.get(tok.rstrip("_"))
    return [_phrase(tok)] + [_phrase(p) for p in _plurals(tok)]


def _half(text: str, synsets: dict[str, list[str]]) -> dict | None:
    """One side of a pattern's `*`: {"words": [[alternatives], ...], "pps": [{"prep": [...], "words":
    [...], "role": ...}], "role": ...}. Noun-phrase braces only group words: every word must appear.
    `+`/`$`/`^` mark where the target/source/place sit. None: an undefined synset."""
    out: dict = {"words": [], "pps": []}
    tokens = re.findall(r"\(|\)|\{|\}|[^\s(){}]+", text)
    pp = None
    for i, tok in enumerate(tokens):
        if tok in ("{", "}"):
            continue
        if tok == "(":
            pp = {"prep": None, "words": []}
            out["pps"].append(pp)
            continue
        if tok == ")":
            pp = None
            continue
        into = pp if pp is not None else out
        if pp is not None and pp["prep"] is None and tok not in ("+", "$", "^", "%"):
            pp["prep"] = sorted({w.lower() for w in tok.split("/") if w})
            continue
        if tok in ("+", "$", "^", "%"):
            into["role"] = {"+": "target", "$": "source", "^": "place", "%": "both"}[tok]
            continue
        alts = _alternatives(tok, synsets)
        if alts is None:
            return None
        into["words"].append(sorted(set(alts)))
    out["pps"] = [p for p in out["pps"] if p["prep"]]
    return out


def _pattern(line: str, synsets: dict[str, list[str]]) -> dict | None:
    body = _strip(line)[1:]
    m = _CODE.search(body)
    if m is None or "*" not in body[:m.start()]:
        return None
    code = m.group(1).strip()
    before, after = body[:m.start()].split("*", 1)
    pre, post = _half(before, synsets), _half(after, synsets)
    if pre is None or post is None:
        return None
    return {"pre": pre, "post": post, "code": code}


def read_verbs(path: Path) -> dict:
    lines = path.read_text(encoding="latin-1").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("####### VERB PATTERNS"))
    end = next((i for i, l in enumerate(lines) if l.startswith("######## TRANSFORMATIONS")), len(lines))
    synsets = _synsets(lines[:start])
    blocks: dict[str, dict] = {}
    verbs: dict[str, dict] = {}
    named: dict[str, dict[str, int]] = {}  # verb a pattern's comment names -> {block: patterns}
    block = None
    for raw in lines[start + 1:end]:
        m = _BLOCK.match(raw)
        if m:
            block = m.group(1)
            blocks[block] = {"code": m.group(2).strip(), "patterns": []}
            continue
        line = _strip(raw).strip()
        if not line or block is None:
            continue
        if line.startswith("-"):
            pat = _pattern(raw, synsets)
            if pat is not None:
                # The comment names the verb the pattern was written for before TABARI's verbs were
                # merged into synonym blocks: "- * &TREATY [031:031] # APPROVE".
                named_here = [_phrase(w) for w in _COMMENT_VERB.findall(raw.split("#", 1)[1] if "#" in raw else "")]
                if named_here:
                    pat["for"] = sorted(set(named_here))
                blocks[block]["patterns"].append(pat)
                for word in named_here:
                    counts = named.setdefault(word, {})
                    counts[block] = counts.get(block, 0) + 1
            continue
        head = line.split("{", 1)[0]
        own = _CODE.search(head)
        word = _CODE.sub("", head).strip().lstrip("+")
        if not word or " " in word:
            continue
        form = _phrase(word)
        entry = verbs.setdefault(form, {"block": block, "code": None})
        if own and entry["block"] == block:
            entry["code"] = own.group(1).strip()
    # A verb the comments name as the source of several of a block's patterns ("- * WITHDRAW [025] #
    # URGE") but that no block lists (URGE lost its entry when the TABARI files were merged) is a form
    # of that block, with the block's code.
    for form, counts in sorted(named.items()):
        home = max(sorted(counts), key=lambda b: counts[b])
        if form not in verbs and counts[home] >= _NAMED_MIN:
            verbs[form] = {"block": home, "code": None}
    return {"blocks": blocks, "verbs": dict(sorted(verbs.items()))}


# ---- agents --------------------------------------------------------------------------------------

def read_agents(path: Path) -> dict[str, str]:
    subs: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = _strip(raw).strip()
        if not line:
            continue
        m = re.match(r"^(![A-Z]+!)\s*=\s*(.+)$", line)
        if m:
            subs[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        code = _CODE.search(line)
        if code is None:
            continue
        head = line[:code.start()]
        irregular = re.search(r"\{([^}]*)\}", head)
        phrase = re.sub(r"\{[^}]*\}", "", head).strip()
        variants = [phrase]
        for marker, words in subs.items():
            if marker in phrase:
                variants = [v.replace(marker, w) for v in variants for w in words]
        forms = set(variants)
        if irregular is not None:
            forms |= {p for p in irregular.group(1).split() if p}
        elif not any(m in phrase for m in subs):
            for v in variants:
                forms |= set(_plural_phrase(v))
        value = code.group(1).strip().replace("}", "")
        for f in forms:
            out.setdefault(_phrase(f), value)
    return dict(sorted(out.items()))


# ---- actors --------------------------------------------------------------------------------------

def _date(text: str, end: bool = False) -> str | None:
    """TABARI dates: YYYYMMDD or YYMMDD (YY < 30: 20YY). A malformed one ("2004017") is read as the year."""
    text = text.strip()
    if not text.isdigit():
        return None
    if len(text) == 6:
        yy = int(text[:2])
        year, month, day = (2000 + yy if yy < 30 else 1900 + yy), int(text[2:4]), int(text[4:6])
    elif len(text) == 8:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    else:
        year, month, day = int(text[:4]), (12 if end else 1), (31 if end else 1)
    try:
        return date(year, max(month, 1), max(day, 1)).isoformat()
    except ValueError:
        return date(year, 12 if end else 1, 31 if end else 1).isoformat()


def _restriction(text: str) -> list | None:
    """"RUSGOV 000507-080507" -> [code, start, end] (ISO dates or None)."""
    parts = text.split()
    if not parts:
        return None
    code, rest = parts[0], " ".join(parts[1:])
    if not rest:
        return [code, None, None]
    if rest.startswith("<"):
        return [code, None, _date(rest[1:], end=True)]
    if rest.startswith(">"):
        return [code, _date(rest[1:]), None]
    if "-" in rest:
        a, b = rest.split("-", 1)
        return [code, _date(a), _date(b, end=True)]
    return [code, None, None]


def read_actors(path: Path) -> list[list]:
    records: list[dict] = []
    current = None
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = _COMMENT.sub("", raw).split("#", 1)[0].split(";", 1)[0]
        if not line.strip():
            continue
        stripped = line.strip()
        if raw[:1].isspace() and stripped.startswith("["):
            if current is not None:
                for code in _CODE.findall(stripped):
                    r = _restriction(code)
                    if r:
                        current["codes"].append(r)
            continue
        synonym = stripped.startswith("+")
        body = stripped.lstrip("+").strip()
        codes = _CODE.findall(body)
        phrase = _phrase(_CODE.sub("", body))
        if not phrase:
            continue
        if synonym and current is not None:
            current["phrases"].append(phrase)
        else:
            current = {"phrases": [phrase], "codes": []}
            records.append(current)
        for code in codes:
            r = _restriction(code)
            if r:
                current["codes"].append(r)
    from tasks.events.phoenix import norm  # stored as looked up: loading needs no folding

    return [[sorted({k for p in r["phrases"] if (k := norm(p))}), r["codes"]] for r in records if r["codes"]]


def read_discards(path: Path) -> list[dict]:
    """Sentence- and story-level discards, without the years and "weeks later"-style time phrases:
    newsflow dates events by those words, it does not drop their sentences."""
    out = []
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = _strip(raw).strip()
        if not line:
            continue
        story = line.startswith("+")
        phrase = _phrase(line.lstrip("+"))
        if not phrase or re.fullmatch(r"\d{4}( competition)?", phrase) or re.search(r"\b(later|ago)$", phrase):
            continue
        out.append({"phrase": phrase, "story": story})
    return sorted({(d["phrase"], d["story"]): d for d in out}.values(), key=lambda d: (d["phrase"], d["story"]))


# ---- CAMEO -> PLOVER and Goldstein ---------------------------------------------------------------

def read_cameo_plover(path: Path) -> list[list[str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or ":" not in raw or raw.startswith("~"):
            continue
        code, rest = raw.split(":", 1)
        code = code.strip()
        if not code.isdigit() or len(code) < 3:
            continue  # "03: AGREE" headings: the 2-digit root is the 3-digit "x0" code's row
        desc = rest.split("#", 1)[1].strip() if "#" in rest else ""
        fields = [f.strip() for f in rest.split("#", 1)[0].split(",")]
        fields += [""] * (3 - len(fields))
        rows.append([code, fields[0], fields[1], fields[2].replace(" ", ""), desc])
    return sorted({r[0]: r for r in rows}.values())


def read_goldstein(path: Path) -> list[list[str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = raw.split()
        if len(parts) == 2:
            rows.append([parts[0], parts[1]])
    return sorted(rows)


def _csv(rows: list[list[str]], header: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build(src: Path, out: Path = HERE) -> dict[str, int]:
    src = Path(src)
    verbs = read_verbs(src / "CAMEO.2.0.txt")
    agents = read_agents(src / "Phoenix.agents.txt")
    actors = {"country": read_actors(src / "Phoenix.Countries.actors.txt"),
              "international": read_actors(src / "Phoenix.International.actors.txt"),
              "nonstate": read_actors(src / "Phoenix.MilNonState.actors.txt")}
    discards = read_discards(src / "Phoenix.discards.txt")
    table = read_cameo_plover(src / "CAMEO2PLOVER-2021.txt")
    goldstein = read_goldstein(src / "CAMEO.goldsteinscale.txt")
    dump = dict(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (out / "verbs.json").write_text(json.dumps(verbs, **dump) + "\n", encoding="utf-8")
    (out / "agents.json").write_text(json.dumps(agents, **dump) + "\n", encoding="utf-8")
    (out / "actors.json").write_text(json.dumps(actors, **dump) + "\n", encoding="utf-8")
    (out / "discards.json").write_text(json.dumps(discards, **dump) + "\n", encoding="utf-8")
    (out / "cameo_plover.csv").write_text(_csv(table, ["cameo", "plover", "mode", "context", "description"]),
                                          encoding="utf-8")
    (out / "goldstein.csv").write_text(_csv(goldstein, ["cameo", "goldstein"]), encoding="utf-8")
    shutil.copyfile(src / "LICENSE-petrarch2", out / "LICENSE-petrarch2")
    return {"verb forms": len(verbs["verbs"]), "patterns": sum(len(b["patterns"]) for b in verbs["blocks"].values()),
            "agents": len(agents), "actor records": sum(len(v) for v in actors.values()), "discards": len(discards),
            "cameo codes": len(table), "goldstein codes": len(goldstein)}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    print(json.dumps(build(Path(argv[0])), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
