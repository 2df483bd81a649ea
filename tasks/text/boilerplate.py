"""Line classification for plain text that still carries web boilerplate.

The input is text copied out of a web page: one paragraph per line, with navigation, share rows, ad
labels, counters and comment/contact footers mixed in. jusText's method, adapted to text without
markup: each line gets an initial class from its own features (length, stop-word density, share of
letters, sentence punctuation, known boilerplate patterns); then short and borderline lines are judged
by their neighbours, and short heading-like lines followed by content are kept as headings.

Stop words are the text's language's, as jusText has a stoplist per language: spaCy's lists
(`spacy.lang.<xx>.stop_words`, plain word sets for ~60 languages). A language without a list is
classified in jusText's language-free mode (no stop-word thresholds). Language-neutral where it must
be: Chinese, Japanese and Korean characters count as two characters of length and a word per 1.5
characters (there are no spaces); sentences may end in 。！？ ؟ ।; a heading may start with a letter of
a script without case (Arabic, Hebrew, CJK, Devanagari), not only with a capital.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

# A plain frozenset of ~330 words: importing it loads no model.
from spacy.lang.en.stop_words import STOP_WORDS

CONTENT = "content"
HEADING = "heading"
BOILERPLATE = "boilerplate"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    kind: str  # CONTENT | HEADING | BOILERPLATE


# Initial classes. SKIP is boilerplate that sits *between* paragraphs (ads, counters, share rows):
# it is dropped but says nothing about its neighbours, so the context rules look through it.
# BAD is boilerplate of the page's chrome (navigation, footers, link lists): it is dropped and
# makes short neighbours look like chrome too.
_GOOD, _NEARGOOD, _SHORT, _BAD, _SKIP = "good", "neargood", "short", "bad", "skip"

# Thresholds in the spirit of jusText's English defaults (length_low 70, length_high 200,
# stopwords_low 0.30, stopwords_high 0.32), relaxed a little: news prose is dense in proper names.
_LENGTH_LOW = 70
_LENGTH_HIGH = 200
_STOP_LOW = 0.20
_STOP_HIGH = 0.28
_MAX_HEADING_DISTANCE = 200  # chars between a heading and the content it introduces
_PROSE_RUN = 3
_PATTERN_MAX_CHARS = 250
_FOREIGN_STOP_DENSITY = 0.08  # English prose has 0.35-0.5; below this the text is in another language

_STOP = frozenset(STOP_WORDS) | {"i", "a", "s", "t", "u"}


@lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str] | None:
    """The stop words of an ISO 639-1 language (spaCy's list), None when spaCy has none."""
    if language in (None, "en"):
        return _STOP
    if not (isinstance(language, str) and language.isalpha() and len(language) == 2):
        return None
    try:
        words = importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    except (ImportError, AttributeError):
        return None
    return frozenset(w.casefold() for w in words)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Han, kana, Hangul: written without spaces, each character about a syllable or a word
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_CHARS_PER_WORD = 1.5
_SENTENCE_END = re.compile(r"[.!?…。！？｡؟।۔][\"'”’)\]」』）]*$")
_LIST_ITEM = re.compile(r"(?:[-*•–—·]|\d{1,2}[.)])\s+")
_TRAILING_PUNCT = re.compile(r"[\s:.!?…|>»›·•-]+$")

_F = re.I | re.X

# Lines that interrupt an article: ad labels, counters, "continues below", teasers, photo credits.
_INTERSTITIAL = re.compile(r"""
    [\d.,]+\s*[km]?                                              # bare counters: 0, 45, 1.2K
  | \d+\s*(?:shares?|views?|likes?|reactions?|votes?|comments?|responses?|replies)
  | comments?(?:\s*\(\d+\))?|(?:show|view|load|hide|see|read)\s+(?:all\s+|the\s+)?comments?(?:\s*\(\d+\))?  # toolbars
  | \d+\s*(?:min|mins|minutes?)(?:\s+read)?|(?:reading\s+time|read\s+time)\s*:?.{0,20}
  | ads?|advert(?:isement)?s?|advertising|sponsored(?:\s+(?:content|post|links?))?|promoted
  | paid\s+(?:content|post|partnership)|(?:\w+\s+)?partner\s+content|anzeige|publicit[eé]
  | (?:the\s+)?(?:story|article|content|text)\s+continues\s+(?:below|after).*
  | (?:scroll|swipe)\s+(?:down\s+)?(?:to|for)\s+(?:continue|more|next).*
  | (?:continue|keep)\s+reading(?:\s+(?:below|the\s+(?:main\s+)?story))?
  | (?:read|see|watch)\s+(?:more|also|next|the\s+full\s+(?:story|article))(?:\s*[:>»|-].*)?
  | (?:also\s+read|related|more|recommended|see\s+also)\s*:.{1,200}
  | breaking(?:\s+news)?|just\s+in|developing(?:\s+story)?|live(?:\s+updates)?|exclusive   # kicker labels
  | listen\s+to\s+(?:this\s+)?(?:article|story|podcast)(?:\s.{0,40})?|play|pause|mute
  | (?:photo|image|picture|video|graphic|illustration)s?(?:\s+credit)?\s*[:|©].{0,100}
  | \(?(?:photo|image|picture)s?\s+(?:by|credit|courtesy|via)\b.{0,100}
  | .{0,80}/\s*(?:getty\s+images|afp|reuters|ap(?:\s+photo)?|epa|shutterstock|dpa|anadolu).{0,20}
""", _F)

# Page chrome: navigation, breadcrumbs, related-link blocks, subscriptions, follow-us rows, cookie
# notices, copyright, contact and thank-you footers, disclaimers, datelines.
_CHROME = re.compile(r"""
    home(?:\s*page)?(?:\s*[>/»›|•].*)?|(?:you\s+are\s+here|breadcrumbs?)\b.*
  | (?:main\s+)?menu|navigation|toggle\s+navigation|skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation)
  | search(?:\s+(?:for|this\s+site))?|close|open\s+menu|back\s+to\s+top|top|next|previous|prev|more|less
  | (?:next|previous|prev)\s+(?:article|story|post|page)\b.*|load\s+more|show\s+more|see\s+all|view\s+all
  | sign\s+(?:in|up|out)|log\s*(?:in|out)|register|my\s+account|create\s+(?:an\s+)?account
  | subscribe(?:\s+(?:now|today|here|for\s+free))?|subscribe\s+to\s+(?:our|the|my)\b.{0,60}\b(?:newsletters?|channel|podcast|feed|magazine|alerts?|updates)\b.*
  | (?:sign\s+up|register)\b.{0,40}\bnewsletters?\b.*|newsletters?|already\s+a\s+(?:subscriber|member).*|subscribers?\s+only.*
  | (?:get|try)\s+(?:unlimited|full|digital)\s+access.*
  | follow\s+(?:us|@|me)\b.*|(?:like|find|join|connect\s+with)\s+us\s+on\b.*|stay\s+connected
  | download\s+(?:our|the)\s+(?:free\s+)?app.*|get\s+the\s+app.*
  | (?:related|recommended|trending|popular|latest|top|more|other|similar)
    (?:\s+(?:articles?|stories|posts|news|content|videos?|links|coverage|topics|sources|reads|headlines|for\s+you|now|on\s+\S+))?
  | most\s+(?:read|popular|viewed|shared|commented|recent)(?:\s+\w+)?
  | you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in).*|more\s+like\s+this
  | more\s+(?:from|on|in|about|stories|news|articles)\b.{0,80}|don'?t\s+miss\b.{0,80}|editor'?s\s+picks?
  | (?:what\s+to\s+)?read\s+next.{0,80}|up\s+next|in\s+(?:other|case\s+you\s+missed)\b.{0,60}
  | (?:tags?|topics?|categories|category|filed\s+under|posted\s+in|keywords|labels)\s*[:|].*
  | (?:©|\(c\)|copyright\b).*|.*\ball\s+rights\s+reserved\b.*
  | .*\b(?:we|this\s+(?:web)?site|our\s+(?:web)?site)\s+uses?\s+cookies\b.*|.*\bcookie\s+(?:policy|settings|preferences|consent|notice)\b.*
  | (?:accept|reject|allow)(?:\s+all)?(?:\s+cookies)?|manage\s+(?:cookies|preferences|consent)
  | .*\bby\s+(?:continuing|using)\b.{0,60}\b(?:site|website|service)\b.{0,40}\bagree\b.*
  | privacy(?:\s+(?:policy|notice|settings))?|terms\s+(?:of\s+(?:use|service)|and\s+conditions)|about(?:\s+us)?
  | contact(?:\s+us)?|advertise(?:\s+with\s+us)?|careers|jobs|sitemap|rss(?:\s+feeds?)?|imprint|impressum|faq
  | (?:thanks?|thank\s+you)\s+(?:so\s+much\s+)?for\s+(?:reading|viewing|visiting|watching|stopping\s+by|your\s+(?:visit|support|interest)).*
  | disclaimer\s*[:-].*
  | (?:need|want|wish)\s+to\s+(?:contact|reach)\s+us\b.*|.*\b(?:e-?mail|write\s+to|contact|reach)\s+us\s+(?:at|on|via|by)\b.*(?:@|\d{3}|\be-?mail\b|\bphone\b|\bwhatsapp\b).*
  | (?:have|got)\s+a\s+(?:news\s+)?(?:tip|story(?:\s+idea)?)\b.*|send\s+us\s+(?:a\s+|your\s+)?(?:tip|news|story).*
  | (?:report\s+(?:an?\s+)?(?:error|typo|correction)|.*\bspotted\s+an?\s+(?:error|typo|mistake)).*
  | (?:please\s+)?enable\s+javascript.*|your\s+browser\s+does\s+not\s+support.*|this\s+(?:content|video)\s+is\s+(?:not|no\s+longer)\s+available.*
  | (?:share|sharing)\s+is\s+caring|(?:share|send)\s+(?:this(?:\s+(?:article|story|page|post))?|on\s+\w+|via\s+\w+|to\s+a\s+friend)
""", _F)

# Start of a comment section or of a comment form: after the article has begun, nothing that follows
# is part of it. Copyright lines end a page the same way. (Bare "Comments" / "3 comments" labels are
# not here: share toolbars put them right after the lede, and the article goes on below.)
_COMMENTS = re.compile(r"""
    leave\s+a\s+(?:reply|comment)(?:\s+cancel\s+reply)?|(?:post|add|write|submit)\s+(?:a\s+|your\s+)?comment
  | join\s+the\s+(?:conversation|discussion)|\d+\s+thoughts?\s+on\b.*|no\s+(?:comments|responses|replies)(?:\s+yet)?
  | be\s+the\s+first\s+to\s+comment.*|comments\s+(?:are|have\s+been)\s+closed.*
  | your\s+email\s+address\s+will\s+not\s+be\s+published.*|required\s+fields\s+are\s+marked.*
  | you\s+must\s+be\s+logged\s+in\s+to\s+(?:post\s+a\s+)?comment.*|(?:comment|commenting|community)\s+(?:policy|guidelines|rules).*
  | .*\bcomments\s+on\s+this\s+(?:blog|site|page|article|story)\b.*|cancel\s+reply
  | (?:©|\(c\)|copyright\b).*|.*\ball\s+rights\s+reserved\b.*
""", _F)

# "By Jane Doe" / "By Jane Doe and John Roe, Reuters" above the article: a byline, not a sentence.
_BYLINE = re.compile(r"(?:(?:[Ww]ritten|[Ww]ords|[Ss]tory|[Rr]eporting)\s+)?(?:[Bb]y|BY):?\s+"
                     r"[A-Z][\w.'’-]*(?:[\s,&|]+(?:and\s+)?[A-Z][\w.'’-]*){0,6}\.?")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATELINE = re.compile(rf"""
    (?:(?:published|updated|posted|last\s+updated|first\s+published)\s*(?:on|at)?\s*:?\s*)?
    (?:\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago|(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?
    (?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}
      |\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})
    (?:\s*(?:,|at|-|\|)?\s*\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{{2,5}}\)?)?)?)
""", _F)

# Share/social rows: every word is a sharing verb or a network ("Discuss, Share, Chat, Mail, Print").
_SOCIAL = frozenset("""
    share shares shared sharing tweet retweet facebook twitter x whatsapp linkedin email e mail print
    copy copied link url chat discuss comment comments pinterest reddit telegram flipboard messenger
    save saved bookmark pocket tumblr threads bluesky mastodon sms this article story page on via gift
    google more options embed xing vk weibo wechat mix instagram youtube tiktok snapchat
""".split())
_SOCIAL_CORE = frozenset("""
    share shares sharing tweet facebook twitter whatsapp linkedin email mail print copy pinterest
    reddit telegram flipboard messenger bookmark discuss comment comments
""".split())


@dataclass(slots=True)
class _Features:
    text: str
    chars: int
    words: int
    stop_density: float
    letter_share: float
    sentence_end: bool
    list_item: bool


def _features(text: str, stops_of: frozenset[str] = _STOP) -> _Features:
    words = _WORD.findall(text)
    nonspace = sum(1 for c in text if not c.isspace()) or 1
    letters = sum(1 for c in text if c.isalpha())
    stops = sum(1 for w in words if w.casefold().replace("’", "'") in stops_of)
    cjk = len(_CJK.findall(text))
    if cjk:  # runs of CJK characters are one regex "word" each: count words by characters instead
        words = [w for w in words if not _CJK.search(w)] + [""] * round(cjk / _CJK_CHARS_PER_WORD)
    return _Features(
        text=text,
        chars=len(text) + cjk,
        words=len(words),
        stop_density=stops / len(words) if words else 0.0,
        letter_share=letters / nonspace,
        sentence_end=bool(_SENTENCE_END.search(text)),
        list_item=bool(_LIST_ITEM.match(text)),
    )


def _is_share_row(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.casefold())
    return 0 < len(words) <= 12 and all(w in _SOCIAL for w in words) and any(w in _SOCIAL_CORE for w in words)


def _body(text: str) -> str:
    """The line without a list marker and trailing punctuation, as the patterns expect it."""
    return _TRAILING_PUNCT.sub("", _LIST_ITEM.sub("", text, count=1)).strip()


def _initial(f: _Features, stop_low: float, stop_high: float) -> str:
    body = _body(f.text)
    if f.letter_share < 0.5 or not body:
        return _SKIP
    if f.chars < _PATTERN_MAX_CHARS:  # patterns describe labels and one-liners, never paragraphs
        if _INTERSTITIAL.fullmatch(body) or _is_share_row(body):
            return _SKIP
        if _CHROME.fullmatch(body) or _COMMENTS.fullmatch(body):
            return _BAD
    if f.chars < _LENGTH_LOW:
        # A short complete sentence ("Talks resume on Monday.") is weak evidence of prose, not chrome.
        if f.sentence_end and f.words >= 4 and f.stop_density >= stop_low:
            return _NEARGOOD
        return _SHORT
    if f.stop_density >= stop_high and f.chars >= _LENGTH_HIGH:
        return _GOOD
    if f.stop_density >= stop_low or (f.sentence_end and f.stop_density >= stop_low / 2):
        return _NEARGOOD
    return _BAD


def _stop_thresholds(feats: list[_Features]) -> tuple[float, float]:
    """English thresholds, or none when the text is not English (jusText's language-free mode)."""
    long_lines = [f for f in feats if f.chars >= _LENGTH_LOW]
    words = sum(f.words for f in long_lines)
    stops = sum(f.stop_density * f.words for f in long_lines)
    if words >= 30 and stops / words < _FOREIGN_STOP_DENSITY:
        return 0.0, 0.0
    return _STOP_LOW, _STOP_HIGH


def _promote_prose_runs(feats: list[_Features], classes: list[str]) -> None:
    """Sites with short paragraphs never reach jusText's 200 chars: three or more borderline
    sentence lines in a row are an article all the same. With no anchor at all, any sentence line is."""
    if _GOOD not in classes:
        for i, f in enumerate(feats):
            if classes[i] == _NEARGOOD and f.sentence_end and f.chars >= _LENGTH_LOW:
                classes[i] = _GOOD
        return
    run: list[int] = []
    for i in range(len(classes) + 1):
        if i < len(classes) and classes[i] == _SKIP:
            continue
        if i < len(classes) and classes[i] == _NEARGOOD and feats[i].sentence_end:
            run.append(i)
            continue
        if len(run) >= _PROSE_RUN:
            for k in run:
                classes[k] = _GOOD
        run = []


def _heading_like(f: _Features) -> bool:
    first = f.text.lstrip("\"'“‘([「『«")[:1]
    return (
        1 <= f.words <= 20
        and f.chars < _LENGTH_HIGH
        and f.letter_share >= 0.6
        and (first.isdigit() or (first.isalpha() and not first.islower()))  # a capital, or a caseless script
        and not f.text.endswith((",", ";", "，", "、", "،"))
    )


def _previous(classes: list[str]) -> tuple[list[str], list[str]]:
    """jusText's neighbour rule for every line at once (linear: long documents have thousands of
    lines): the nearest GOOD/BAD line before each line, and the nearest GOOD/BAD/NEARGOOD one. SHORT
    and SKIP lines are looked through; the document's edge counts as boilerplate."""
    strict, loose = [], []
    last_strict = last_loose = _BAD
    for c in classes:
        strict.append(last_strict)
        loose.append(last_loose)
        if c in (_GOOD, _BAD):
            last_strict = last_loose = c
        elif c == _NEARGOOD:
            last_loose = c
    return strict, loose


def _nav_lists(lines: Sequence[str], classes: list[str], end: int) -> None:
    """Above the article, a run of short list items with one navigation item in it ("1. Home page",
    "2. Breaking News") is a breadcrumb or menu as a whole."""
    i = 0
    while i < end:
        j = i
        while j < end and _LIST_ITEM.match(lines[j]) and len(lines[j]) <= 60:
            j += 1
        if any(classes[k] == _BAD for k in range(i, j)):
            classes[i:j] = [_BAD] * (j - i)
        i = max(j, i + 1)


def _menu_runs(feats: list[_Features], classes: list[str]) -> None:
    """Three or more different one-to-three-word lines in a row, without punctuation, are a menu or a
    tag list (a headline printed twice is not)."""
    run: list[int] = []
    for i in range(len(classes) + 1):
        if i < len(classes) and classes[i] == _SKIP:
            continue
        if i < len(classes) and classes[i] == _SHORT and feats[i].words <= 3 and not (
                feats[i].sentence_end or feats[i].list_item):
            run.append(i)
            continue
        if len({feats[k].text for k in run}) >= 3:
            for k in run:
                classes[k] = _BAD
        run = []


def classify(lines: Sequence[str], language: str | None = "en") -> list[Line]:
    """Classifies non-empty, stripped lines (one paragraph each) as content, heading or boilerplate;
    `language` (ISO 639-1) picks the stop words."""
    stops_of = stop_words(language)
    feats = [_features(t, stops_of or frozenset()) for t in lines]
    stop_low, stop_high = _stop_thresholds(feats) if stops_of else (0.0, 0.0)
    classes = [_initial(f, stop_low, stop_high) for f in feats]
    _promote_prose_runs(feats, classes)
    first_good = next((i for i, c in enumerate(classes) if c == _GOOD), len(classes))

    # Datelines and bylines are metadata. Above the article they sit between the headline and its
    # text, so the rules look through them; further down a dateline marks a teaser list. Lines
    # repeated from earlier in the page are copies (templates, teasers of this very article).
    seen: set[str] = set()
    for i, text in enumerate(lines):
        body = _body(text)
        if classes[i] in (_SHORT, _NEARGOOD) and len(body) <= 80:
            if i < first_good and (_DATELINE.fullmatch(body) or _BYLINE.fullmatch(body)):
                classes[i] = _SKIP
            elif _DATELINE.fullmatch(body):
                classes[i] = _BAD
        if feats[i].chars >= _LENGTH_LOW and classes[i] != _SKIP:
            if text in seen:
                classes[i] = _SKIP
            seen.add(text)

    # Footer: a comment section (or a copyright line) after the article has begun ends the article.
    for i in range(first_good + 1, len(classes)):
        if classes[i] == _BAD and _COMMENTS.fullmatch(_body(lines[i])):
            classes[i:] = [_BAD] * (len(classes) - i)
            break

    _nav_lists(lines, classes, first_good)
    _menu_runs(feats, classes)

    # Headings: a short heading-like line followed closely by content introduces it.
    headings: set[int] = set()
    for i, f in enumerate(feats):
        if classes[i] not in (_SHORT, _NEARGOOD) or not _heading_like(f):
            continue
        distance = 0
        for j in range(i + 1, len(classes)):
            if classes[j] == _GOOD:
                headings.add(i)
                break
            if classes[j] == _BAD:
                break
            distance += feats[j].chars
            if distance > _MAX_HEADING_DISTANCE:
                break
    for i in headings:
        classes[i] = _NEARGOOD

    # Context (jusText): short lines take the class of their surroundings; a short line next to
    # borderline prose survives a mixed context; borderline lines survive unless chrome surrounds them.
    final = list(classes)
    prev, prev_loose = _previous(classes)
    nxt, next_loose = (list(reversed(x)) for x in _previous(classes[::-1]))
    for i, c in enumerate(classes):
        if c == _SHORT:
            if prev[i] == nxt[i]:
                final[i] = prev[i]
            elif (prev[i] == _BAD and prev_loose[i] == _NEARGOOD) or (nxt[i] == _BAD and next_loose[i] == _NEARGOOD):
                final[i] = _GOOD
            else:
                final[i] = _BAD
        elif c == _NEARGOOD:
            final[i] = _BAD if prev[i] == nxt[i] == _BAD else _GOOD

    out = []
    for i, text in enumerate(lines):
        if final[i] != _GOOD:
            out.append(Line(text, BOILERPLATE))
        elif _heading_like(feats[i]) and feats[i].chars < 150 and not text.endswith((".", "!", "…", "\"", "”")):
            out.append(Line(text, HEADING))
        else:
            out.append(Line(text, CONTENT))
    return out
