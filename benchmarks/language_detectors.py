"""Language detectors compared on the sample benchmarks/entity_quality.py uses (spaCy's example
sentences; short = one sentence, long = a language's sentences joined), on the languages all of them know.

The product uses py3langid (docs/benchmarks.md says why). lingua and langdetect are not newsflow
dependencies; to compare, install them in a scratch venv and point it at an installed spaCy's
`spacy/lang` folder (the sentences are read as files, spaCy itself is not imported):

    python3.11 -m venv /tmp/lang && /tmp/lang/bin/pip install py3langid lingua-language-detector langdetect
    /tmp/lang/bin/python benchmarks/language_detectors.py --spacy-lang .venv/lib/python3.11/site-packages/spacy/lang

fasttext-langdetect is not compared: its wheel has no model and downloads one on first use.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import runpy
import time
from pathlib import Path


def _sentences(folder: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(folder.glob("*/examples.py")):
        code = path.parent.name
        if len(code) == 2 and code != "xx":
            out[code] = runpy.run_path(str(path))["sentences"]
    return out


def _detectors() -> dict:
    found = {}
    if importlib.util.find_spec("py3langid"):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        found["py3langid"] = (lambda t: ident.classify(t)[0], set(ident.nb_classes))
    if importlib.util.find_spec("lingua"):
        from lingua import Language, LanguageDetectorBuilder

        det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def lingua(t):
            r = det.detect_language_of(t)
            return r.iso_code_639_1.name.lower() if r else None
        found["lingua"] = (lingua, {lang.iso_code_639_1.name.lower() for lang in Language.all()})
    if importlib.util.find_spec("langdetect"):
        from langdetect import DetectorFactory, detect_langs
        from langdetect.detector_factory import init_factory
        from langdetect import detector_factory

        DetectorFactory.seed = 0  # langdetect is random without a seed
        init_factory()

        def langdetect(t):
            try:
                return detect_langs(t)[0].lang.split("-")[0]
            except Exception:  # no features in the text
                return None
        found["langdetect"] = (langdetect, {x.split("-")[0] for x in detector_factory._factory.langlist})
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    spec = importlib.util.find_spec("spacy")
    default = Path(spec.origin).parent / "lang" if spec and spec.origin else None
    ap.add_argument("--spacy-lang", type=Path, default=default)
    args = ap.parse_args()
    samples = _sentences(args.spacy_lang)
    t0 = time.perf_counter()
    detectors = _detectors()
    load = time.perf_counter() - t0
    common = sorted(set(samples).intersection(*(codes for _, codes in detectors.values())))
    short = [(c, s) for c in common for s in samples[c]]
    long_ = [(c, " ".join(samples[c])) for c in common]
    article = (" ".join(samples["en"]) * 20)[:5000]
    report = {"languages": common, "short_texts": len(short), "long_texts": len(long_),
              "load_seconds_all": round(load, 2)}
    for name, (fn, _) in detectors.items():
        row = {}
        for kind, data in (("short", short), ("long", long_)):
            t = time.perf_counter()
            ok = sum(fn(text) == code for code, text in data)
            row[kind] = {"accuracy": round(ok / len(data), 3),
                         "ms_per_text": round(1000 * (time.perf_counter() - t) / len(data), 2)}
        t = time.perf_counter()
        for _ in range(20):
            fn(article)
        row["ms_per_5000_chars"] = round(1000 * (time.perf_counter() - t) / 20, 2)
        report[name] = row
    report["max_rss_mb_all_loaded"] = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
