"""The dictionary build on a tiny verb file written here (the originals are not part of `make test`)."""

from tasks.events.dictionaries.build import read_verbs

VERBS = """\
&AUX_
+WILL

####### VERB PATTERNS #######

---  DEMAND   [100]  ---
DEMAND
- * WITHDRAW                                          [025]         # URGE
- * REFRAIN                                           [025]         # URGE
- * TALKS                                             [026]         # URGE
- * AID                                               [023]         # WANT
---  ASSEMBLE   [040]  ---
CONVENE [042]
RECONVENE[---]
- * TALKS                                             [040:040]     # CONVENE , CONVENE
"""


def test_a_verb_the_comments_name_becomes_a_form_of_its_block(tmp_path):
    path = tmp_path / "CAMEO.txt"
    path.write_text(VERBS, encoding="latin-1")
    data = read_verbs(path)
    # three DEMAND patterns were written for URGE, which no block lists: it is a DEMAND verb
    assert data["verbs"]["urge"] == {"block": "DEMAND", "code": None}
    assert "want" not in data["verbs"]  # one pattern is not enough
    assert data["verbs"]["reconvene"] == {"block": "ASSEMBLE", "code": "---"}  # listed: kept as listed
    assert data["verbs"]["convene"] == {"block": "ASSEMBLE", "code": "042"}


def test_a_pattern_keeps_the_verbs_its_comment_says_it_was_written_for(tmp_path):
    path = tmp_path / "CAMEO.txt"
    path.write_text(VERBS, encoding="latin-1")
    demand, assemble = (read_verbs(path)["blocks"][b]["patterns"] for b in ("DEMAND", "ASSEMBLE"))
    assert [p["for"] for p in demand] == [["urge"], ["urge"], ["urge"], ["want"]]
    assert assemble[0]["for"] == ["convene"]
