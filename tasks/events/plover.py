"""The PLOVER ontology as newsflow codes it: 16 event categories, their quad classes, and how a CAMEO
code becomes a PLOVER category, mode and context (the official CAMEO → PLOVER table, shipped in
`tasks/events/dictionaries/cameo_plover.csv`), plus GDELT's Goldstein score and QuadClass of a CAMEO code.

Documented departures from the table (the PLOVER manual, chapter "CAMEO vs. PLOVER", note 2, asks
that such decisions be written down), each where the manual's own category text says otherwise:
- CAMEO 02 APPEAL, which the table drops, is REQUEST ("all requests, demands, and orders", section
  REQUEST); CAMEO 01 public statements stay dropped.
- CAMEO 163 (impose embargo, boycott or sanctions), which the 2021 table sends to COERCE, is SANCTION
  `discontinue` ("International (political or economic) sanctions are coded as `discontinue'", section
  SANCTION).
- CAMEO 0813/0814 (ease a curfew, a state of emergency), which the table sends to RETREAT, are CONCEDE
  ("removing curfews ... We're treating such concessions as verbal", section CONCEDE).
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

# What a cooperative or conflictual act announced for the future becomes (PLOVER manual, AGREE and
# THREATEN), as a CAMEO code: 030 express intent to cooperate, 138 threaten with military force, 130
# threaten; refusing cooperation is 120 reject.
INTENT_TO_COOPERATE, THREAT, MILITARY_THREAT, REJECTION = "030", "130", "138", "120"


MANUAL = {"163": ("SANCTION", "discontinue", "diplomatic"), "0813": ("CONCEDE", None, "legal"), "0814": ("CONCEDE", None, "legal")}


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


def root_code(code: str) -> str:
    """CAMEO's two-digit root ("0461" -> "04")."""
    return code[:2]


def base_code(code: str) -> str:
    """CAMEO's three-digit base ("0461" -> "046")."""
    return code[:3]


def goldstein(code: str | None) -> float | None:
    """GDELT's Goldstein score of a CAMEO code (the nearest coded ancestor where the table has no row)."""
    if not code:
        return None
    table = dictionaries.goldstein()
    for key in (code, code[:3], code[:2]):
        if key in table:
            return table[key]
    return None


def gdelt_quad_class(code: str) -> int:
    """GDELT's QuadClass from the CAMEO root: 1 verbal cooperation (01-05), 2 material cooperation
    (06-09), 3 verbal conflict (10-14), 4 material conflict (15-20). GDELT counts 14 PROTEST as verbal
    conflict where PLOVER's quad_class says material: each column keeps its own system's convention."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def code_for(category: str) -> str:
    """The generic CAMEO code of a PLOVER category, for events newsflow re-codes by modality (an
    announced meeting is AGREE: 036 "express intent to meet"; the table's first code otherwise)."""
    generic = {"AGREE": "030", "CONSULT": "040", "SUPPORT": "051", "CONCEDE": "080", "COOPERATE": "060",
               "AID": "070", "RETREAT": "084", "REQUEST": "100", "ACCUSE": "112", "REJECT": "120",
               "THREATEN": "130", "PROTEST": "141", "SANCTION": "160", "MOBILIZE": "150", "COERCE": "170",
               "ASSAULT": "190"}
    return generic[category]
