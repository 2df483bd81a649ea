"""The PLOVER ontology as newsflow codes it: 16 event categories, their quad classes, and how a CAMEO
code becomes a PLOVER category, mode and context (the official CAMEO → PLOVER table, shipped in
`tasks/events/dictionaries/cameo_plover.csv`), plus GDELT's Goldstein score of a CAMEO code (GDELT's
QuadClass is computed in the `gdelt_events` view).

Documented departures from the table (the PLOVER manual, chapter "CAMEO vs. PLOVER", note 2, asks
that such decisions be written down), each where the manual's own category text says otherwise:
- CAMEO 02 APPEAL, which the table drops, is REQUEST ("all requests, demands, and orders", section
  REQUEST); CAMEO 01 public statements stay dropped.
- CAMEO 163 (impose embargo, boycott or sanctions), which the 2021 table sends to COERCE, is SANCTION
  `discontinue` ("International (political or economic) sanctions are coded as `discontinue'", section
  SANCTION).
- CAMEO 0813/0814 (ease a curfew, a state of emergency), which the table sends to RETREAT, are CONCEDE
  ("removing curfews ... We're treating such concessions as verbal", section CONCEDE).
- CAMEO 192 (occupy territory), which the table sends to COERCE, is ASSAULT: it is CAMEO 19, "use
  conventional military force", and "everything at the 3- and 4-digit level should simply be reduced to
  the 2-digit cue category" (chapter "CAMEO vs. PLOVER", note 2); COERCE is "coercive uses of power
  falling short of violence", ASSAULT "deliberate actions which can potentially result in substantial
  physical harm".
- PETRARCH2 codes whole verb blocks with a generic code whose PLOVER category the manual contradicts for
  that block (`BY_BLOCK`, rule `manual_blocks`): the RELEASE block's 080 "yield" is 0841 release ("the
  actual release or exchange of prisoners should be coded as RETREAT", section CONCEDE); the RETREAT
  block's 080 ("withdraw", "pull back") is 0874 retreat ("a military retreat from, or ceding, territory",
  section RETREAT; 080 itself is in neither half of the manual's split of CAMEO 08, "081 to 083"
  CONCEDE, "084 to 087" RETREAT); the SUE, PROSECUTE and BLAME ("indict") blocks' 173 "arrest, detain,
  or charge with legal action" is 115 ("Sue or bring to court", "sue, indict, or charge; bring to
  trial", section ACCUSE).
"""

from __future__ import annotations

from tasks.events import dictionaries

CATEGORIES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

QUAD_CLASS = {
    "AGREE": "verbal cooperation", "CONSULT": "verbal cooperation", "SUPPORT": "verbal cooperation",
    "CONCEDE": "material cooperation", "COOPERATE": "material cooperation", "AID": "material cooperation",
    "RETREAT": "material cooperation",
    "REQUEST": "verbal conflict", "ACCUSE": "verbal conflict", "REJECT": "verbal conflict",
    "THREATEN": "verbal conflict",
    "PROTEST": "material conflict", "SANCTION": "material conflict", "MOBILIZE": "material conflict",
    "COERCE": "material conflict", "ASSAULT": "material conflict",
}

# The older PLOVER names the GSR gold file uses, and what they became in the current manual.
LEGACY_NAMES = {"DEMAND": ("REQUEST", None), "DISAPPROVE": ("ACCUSE", "disapprove"),
                "INVESTIGATE": ("ACCUSE", "investigate"), "FIGHT": ("ASSAULT", None)}

COOPERATIVE = {c for c, q in QUAD_CLASS.items() if q.endswith("cooperation")}
MATERIAL_CONFLICT = {c for c, q in QUAD_CLASS.items() if q == "material conflict"}
VERBAL_CONFLICT = {c for c, q in QUAD_CLASS.items() if q == "verbal conflict"}

# What a cooperative or conflictual act announced for the future becomes (PLOVER manual, AGREE and
# THREATEN), as a CAMEO code: 030 express intent to cooperate, 138 threaten with military force, 130
# threaten; refusing cooperation is 120 reject.
INTENT_TO_COOPERATE, THREAT, MILITARY_THREAT, REJECTION = "030", "130", "138", "120"


MANUAL = {"163": ("SANCTION", "discontinue", "diplomatic"), "0813": ("CONCEDE", None, "legal"),
          "0814": ("CONCEDE", None, "legal"), "192": ("ASSAULT", None, "military")}
# (dictionary block, its generic code) -> the CAMEO code the manual's category text gives that block.
BY_BLOCK = {("RELEASE", "080"): "0841", ("RETREAT", "080"): "0874", ("SUE", "173"): "115",
            ("PROSECUTE", "173"): "115", ("BLAME", "173"): "115"}


def lookup(code: str | None) -> tuple[str, str | None, str | None] | None:
    """(PLOVER category, mode, context) of a CAMEO code; None for statements (01) and unknown codes."""
    if not code:
        return None
    if code.startswith("02"):
        return "REQUEST", None, None
    if code in MANUAL:
        return MANUAL[code]
    table = dictionaries.cameo_plover()
    for key in (code, code[:3], code[:2] + "0"):
        row = table.get(key)
        if row:
            return row[0], row[1], row[2]
    return None


def goldstein(code: str | None) -> float | None:
    """GDELT's Goldstein score of a CAMEO code (the nearest coded ancestor where the table has no row)."""
    if not code:
        return None
    table = dictionaries.goldstein()
    for key in (code, code[:3], code[:2]):
        if key in table:
            return table[key]
    return None
