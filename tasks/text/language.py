"""The language of an article: detected from its text with py3langid, checked against what the input
declares (HTML `lang`, a feed's or JSONL's `language`, `[[sources]] language`).

py3langid (langid.py's model, 97 languages, shipped inside its 4.6 MB wheel, no download at run time)
was chosen over lingua and fasttext-langdetect: see docs/benchmarks.md ("Language detection").

Which language an article gets (`articles.language`, the one NLP runs in): the detected one when
py3langid is sure (probability >= `language_min_confidence`), else the declared one, else the detected
one anyway, else `default_language`. Both inputs are kept (`language_declared`, `language_detected`), so
a disagreement is visible (the `articles` suite warns on it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Enough text to be sure and still fast: langid scores byte n-grams, so a long article costs more
# without changing the answer (measured on the seeds and the spaCy example sentences).
DETECT_CHARS = 3000
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


@dataclass(frozen=True)
class Language:
    language: str
    declared: str | None
    detected: str | None
    confidence: float | None


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of a text; (None, 0.0) for one without letters."""
    sample = text[:DETECT_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None, 0.0
    code, prob = _identifier().classify(sample)
    return code, float(prob)


@lru_cache(maxsize=512)
def normalise(tag: str | None) -> str | None:
    """A declared language tag as ISO 639-1: "en-US" -> "en", "deu"/"ger" -> "de", "fr_FR" -> "fr";
    None when it is no language tag ("x-default", "English" is looked up by name too)."""
    if not tag or not isinstance(tag, str):
        return None
    import pycountry

    m = _TAG.match(tag)
    if m:
        code = m.group(1).lower()
        if len(code) == 2:
            return code if pycountry.languages.get(alpha_2=code) else None
        lang = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
        return getattr(lang, "alpha_2", None) if lang else None
    try:
        lang = pycountry.languages.lookup(tag.strip())
    except LookupError:
        return None
    return getattr(lang, "alpha_2", None)


def choose(text: str, declared: str | None, min_confidence: float, default: str) -> Language:
    """The article's language from its text and what its input declared (see the module doc)."""
    declared_code = normalise(declared)
    detected, confidence = detect(text)
    if detected and (confidence >= min_confidence or declared_code is None):
        language = detected
    else:
        language = declared_code or default
    return Language(language=language, declared=declared_code, detected=detected,
                    confidence=round(confidence, 4) if detected else None)
