"""Direct quotations with their speakers, from the cleaned text and the resolved PERSON mentions.

A quotation is the text between a pair of quote marks (straight, curly, guillemets; it may run over
several sentences but not over a paragraph break). It is kept when it is attributed: a speech verb
(the cue) follows it (`"...," he said` / `"...," said Rubio`) or precedes it in its sentence
(`Fidan said: "..."`, `..., stating, "..."`), or it stands alone as a sentence after one that names a
person. The speaker is the person mention before the cue, a pronoun's nearest preceding person, or the
last person of the previous sentence; `attribution` says which rule found it.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from newsflow import ids
from newsflow.batches import from_rows
from newsflow.config import Settings

QUOTE = pa.schema([
    ("quote_id", pa.string()),
    ("article_id", pa.string()),
    ("speaker_entity_id", pa.string()),
    ("speaker", pa.string()),
    ("quote", pa.string()),
    ("cue", pa.string()),
    ("attribution", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
])

_CUES = ("said|says|say|told|tells|stated|states|stating|added|adds|adding|noted|notes|noting|"
         "emphasi[sz]ed|emphasi[sz]es|stressed|stresses|remarked|announced|announces|explained|"
         "warned|warns|warning|asked|wrote|writes|declared|declares|insisted|insists|argued|"
         "argues|replied|commented|claimed|claims|urged|affirmed|confirmed|recalled|saying|telling")
_CUE = re.compile(rf"\b({_CUES})\b")
_PAIRS = re.compile(r"“([^“”\n]+)”|\"([^\"\n]+)\"|«([^«»\n]+)»|„([^„“”\n]+)[“”]")
_PRONOUN = re.compile(r"\b(he|she|He|She)\b")
# After the closing mark: `, he said` / `, Rubio told reporters` / `, said Fidan`.
_AFTER = re.compile(rf"^[\s,]*(?:(?P<who>[Hh]e|[Ss]he|[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){{0,3}})\s+(?P<cue>{_CUES})\b"
                    rf"|(?P<cue2>{_CUES})\s+(?P<who2>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){{0,3}}))")
_SENTENCE_END = re.compile(r"[.!?…]['’”\"]?\s+(?=[A-Z“\"‘'«])|\n")
_INNER_TRIM = " ,;:"


def _sentences(text: str, quoted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans; a boundary inside a quotation does not split its sentence."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        cut = m.end()
        end_of_punct = m.start() + len(m.group().rstrip())
        if m.group() != "\n" and any(s < end_of_punct < e for s, e in quoted):
            continue
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return [s for s in spans if s[1] > s[0]]


def _quote_spans(text: str, min_words: int) -> list[tuple[int, int, int, int]]:
    """(outer start, outer end, inner start, inner end) of each quotation with min_words words."""
    out = []
    for m in _PAIRS.finditer(text):
        group = next(i for i in range(1, 5) if m.group(i) is not None)
        s, e = m.span(group)
        while s < e and text[s] in _INNER_TRIM:
            s += 1
        while e > s and text[e - 1] in _INNER_TRIM:
            e -= 1
        if len(text[s:e].split()) >= min_words:
            out.append((m.start(), m.end(), s, e))
    return out


def _person_before(people: list[dict], pos: int, since: int = 0) -> dict | None:
    found = [p for p in people if since <= p["start_char"] and p["end_char"] <= pos]
    return found[-1] if found else None


def _attribute(text, people, sentences, outer_s, outer_e):
    """(speaker mention or None, speaker text, cue, attribution) for one quotation, or None."""
    sent_i = next(i for i, (s, e) in enumerate(sentences) if s <= outer_s < e)
    sent_s, sent_e = sentences[sent_i]
    after = _AFTER.match(text[outer_e:sent_e])
    if after:
        who, cue = after.group("who") or after.group("who2"), after.group("cue") or after.group("cue2")
        who_s = outer_e + after.start("who" if after.group("who") else "who2")
        if who in ("he", "He", "she", "She"):
            return _person_before(people, outer_s), who, cue, "pronoun"
        named = next((p for p in people if p["start_char"] <= who_s < p["end_char"]), None)
        return named, who, cue, "cue"
    prefix = text[sent_s:outer_s]
    cues = list(_CUE.finditer(prefix))
    if cues:
        cue = cues[-1]
        cue_pos = sent_s + cue.start()
        named = _person_before(people, cue_pos, sent_s)
        if named:
            return named, named["text"], cue.group(1), "cue"
        pronoun = list(_PRONOUN.finditer(text, sent_s, cue_pos))
        if pronoun:
            return _person_before(people, sent_s), pronoun[-1].group(1), cue.group(1), "pronoun"
        subject = re.split(r"[,;:]", text[sent_s:cue_pos])[-1].strip()
        return None, subject if 0 < len(subject.split()) <= 6 else None, cue.group(1), "unresolved"
    if not text[sent_s:outer_s].strip() and sent_i > 0:
        prev_s, prev_e = sentences[sent_i - 1]
        named = _person_before(people, prev_e, prev_s)
        if named:
            return named, named["text"], None, "previous_sentence"
    return None


def extract_quotes(articles: pa.Table, mentions: pa.Table, settings: Settings) -> pa.Table:
    """One row per attributed quotation in the batch; offsets are exact (text[start:end] == quote)."""
    if articles.num_rows == 0:
        return QUOTE.empty_table()
    people: dict[str, list[dict]] = {}
    for m in mentions.filter(pc.equal(mentions.column("label"), "PERSON")).to_pylist():
        people.setdefault(m["article_id"], []).append(m)
    for plist in people.values():
        plist.sort(key=lambda m: m["start_char"])
    rows = []
    for article, text in zip(articles.column("article_id").to_pylist(), articles.column("text").to_pylist()):
        spans = _quote_spans(text, settings.quote_min_words)
        if not spans:
            continue
        sentences = _sentences(text, [(o_s, o_e) for o_s, o_e, _, _ in spans])
        for outer_s, outer_e, s, e in spans:
            found = _attribute(text, people.get(article, []), sentences, outer_s, outer_e)
            if found is None:
                continue
            mention, speaker, cue, how = found
            rows.append({
                "quote_id": ids.digest("quote", article, str(s), str(e)), "article_id": article,
                "speaker_entity_id": mention["entity_id"] if mention else None,
                "speaker": mention["text"] if mention else speaker,
                "quote": text[s:e], "cue": cue, "attribution": how, "start_char": s, "end_char": e,
            })
    return from_rows(rows, QUOTE)
