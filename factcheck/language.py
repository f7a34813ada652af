"""Language of a sentence and of an article, so that claims the NLI model cannot read are set aside.

Identification is py3langid's (BSD-3, a maintained fork of langid.py: 140 labels, 4.5 MB,
numpy only, ~0.2 ms a sentence; the comparison with lingua, pycld2 and fastText is in
``eval/results/language_id.md``). Its normalised probabilities are reliable on sentences and
useless on a few words ("Kyiv, Ukraine" comes out Crimean Tatar), so a text is called *foreign*
only when all of these hold:

- it has enough text once URLs, e-mail addresses, @handles, #hashtags and numbers are removed:
  ``MIN_WORDS`` words of two or more letters, or ``MIN_DENSE_CHARS`` characters of a script
  written without spaces (Chinese, Japanese, Korean, Thai);
- the top language is not the target and has probability ``MIN_CONFIDENCE`` or more;
- the target language has probability ``MAX_TARGET`` or less (English news sentences that the
  model files under Nigerian Pidgin or Luxembourgish keep English at 0.05 and more; real Spanish,
  French or German sentences put it at 0.00).

A sentence too short to decide takes its article's language: in an English article it is
compared, in an article wholly in Spanish it is Spanish. A sentence that is clearly in the target
language stays comparable whatever its article (an English quote inside a French article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterable

__all__ = [
    "UNDETERMINED",
    "Detection",
    "article_language",
    "detect",
    "detect_full",
    "is_foreign",
    "language_name",
    "sentence_language",
]

UNDETERMINED = "und"
# py3langid's label for text without linguistic content (code, markup): never a language to set aside.
_NO_LANGUAGE = frozenset({UNDETERMINED, "zxx"})
MIN_WORDS = 3
MIN_DENSE_CHARS = 4
MIN_CONFIDENCE = 0.5
MAX_TARGET = 0.02
# The article's language is read from its first this many characters (plenty for the model).
ARTICLE_CHARS = 4000

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+|pic\.twitter\.com/\S+|[@#][\w-]+|\d[\d.,:/%-]*")
# Scripts written without spaces between words: one word-counting rule does not fit them.
_DENSE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Detection:
    """The top language of a text, its probability, and the target language's probability."""

    language: str
    confidence: float
    target_probability: float
    enough_text: bool

    def foreign_to(self, target: str) -> bool:
        """True when this text is confidently in another language than ``target``."""
        return (self.enough_text and self.language != target and self.language not in _NO_LANGUAGE
                and self.confidence >= MIN_CONFIDENCE
                and self.target_probability <= MAX_TARGET)


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _clean(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text).split())


def _enough(text: str) -> bool:
    # Words are split on spaces, not on \w, so scripts with combining vowel signs (Hindi) count whole.
    words = sum(1 for t in text.split() if sum(c.isalpha() for c in t) >= 2)
    return words >= MIN_WORDS or len(_DENSE.findall(text)) >= MIN_DENSE_CHARS


def detect_full(text: str, target: str = "en") -> Detection:
    """The language of ``text`` (ISO 639-1 code) with the probabilities the foreign rule needs."""
    clean = _clean(text)
    if not clean:
        return Detection(UNDETERMINED, 0.0, 0.0, False)
    ranked = _identifier().rank(clean)
    lang, confidence = ranked[0]
    target_p = next((p for code, p in ranked if code == target), 0.0)
    return Detection(lang, float(confidence), float(target_p), _enough(clean))


def detect(text: str) -> tuple[str, float]:
    """``(language, confidence)`` of ``text``; ``("und", 0.0)`` when it has too little text to tell."""
    d = detect_full(text)
    return (d.language, d.confidence) if d.enough_text else (UNDETERMINED, 0.0)


def is_foreign(text: str, target: str = "en") -> bool:
    """True when ``text`` alone is confidently not in ``target`` (short or unsure texts are not)."""
    return detect_full(text, target).foreign_to(target)


def article_language(texts: Iterable[str], target: str = "en") -> str:
    """The language of an article's text (its kept paragraphs): ``target`` unless confidently another."""
    joined, size = [], 0
    for t in texts:
        joined.append(t)
        size += len(t)
        if size >= ARTICLE_CHARS:
            break
    d = detect_full("\n".join(joined)[:ARTICLE_CHARS], target)
    return d.language if d.foreign_to(target) else target


def sentence_language(text: str, target: str = "en", article: str | None = None) -> str:
    """The language a sentence is taken to be in: its own when confident, else its article's.

    Returns ``target`` when the sentence can be compared. ``article`` is the article's language
    (``article_language``); a sentence that is unsure, or too short to tell, inherits it.
    """
    d = detect_full(text, target)
    if d.foreign_to(target):
        return d.language
    if article and article != target:
        clearly_target = d.enough_text and d.language == target and d.confidence >= MIN_CONFIDENCE
        return target if clearly_target else article
    return target


# Names of the languages py3langid knows, for notices ("in Spanish, not compared").
_NAMES = dict(
    item.split("=")
    for item in (
        "af=Afrikaans am=Amharic an=Aragonese ar=Arabic as=Assamese az=Azerbaijani be=Belarusian bg=Bulgarian "
        "bn=Bengali br=Breton bs=Bosnian ca=Catalan cs=Czech cy=Welsh da=Danish de=German dz=Dzongkha el=Greek "
        "en=English eo=Esperanto es=Spanish et=Estonian eu=Basque fa=Persian fi=Finnish fo=Faroese fr=French "
        "ga=Irish gl=Galician gu=Gujarati he=Hebrew hi=Hindi hr=Croatian ht=Haitian_Creole hu=Hungarian "
        "hy=Armenian id=Indonesian is=Icelandic it=Italian ja=Japanese jv=Javanese ka=Georgian kk=Kazakh "
        "km=Khmer kn=Kannada ko=Korean ku=Kurdish ky=Kyrgyz la=Latin lb=Luxembourgish lo=Lao lt=Lithuanian "
        "lv=Latvian mg=Malagasy mk=Macedonian ml=Malayalam mn=Mongolian mr=Marathi ms=Malay mt=Maltese "
        "nb=Norwegian_Bokmål ne=Nepali nl=Dutch nn=Norwegian_Nynorsk no=Norwegian oc=Occitan or=Odia "
        "pa=Punjabi pl=Polish ps=Pashto pt=Portuguese qu=Quechua ro=Romanian ru=Russian rw=Kinyarwanda "
        "se=Northern_Sami si=Sinhala sk=Slovak sl=Slovenian sq=Albanian sr=Serbian sv=Swedish sw=Swahili "
        "ta=Tamil te=Telugu th=Thai tl=Tagalog tr=Turkish ug=Uyghur uk=Ukrainian ur=Urdu vi=Vietnamese "
        "vo=Volapük wa=Walloon xh=Xhosa zh=Chinese zu=Zulu ace=Acehnese ary=Moroccan_Arabic arz=Egyptian_Arabic "
        "ba=Bashkir bcl=Central_Bikol crh=Crimean_Tatar ext=Extremaduran fuv=Nigerian_Fulfulde fy=Western_Frisian "
        "gcf=Guadeloupean_Creole gcr=Guianese_Creole gd=Scottish_Gaelic gom=Goan_Konkani grc=Ancient_Greek "
        "gug=Paraguayan_Guaraní guw=Gun ha=Hausa hbo=Ancient_Hebrew ig=Igbo kab=Kabyle kik=Kikuyu lg=Ganda "
        "lij=Ligurian ln=Lingala ltg=Latgalian my=Burmese nso=Northern_Sotho om=Oromo pcm=Nigerian_Pidgin "
        "sa=Sanskrit sdh=Southern_Kurdish sn=Shona so=Somali st=Southern_Sotho tg=Tajik tk=Turkmen tt=Tatar "
        "uz=Uzbek uzs=Southern_Uzbek vec=Venetian wuu=Wu_Chinese yo=Yoruba yue=Cantonese"
    ).split()
)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("es" -> "Spanish"); the code itself when unknown."""
    return _NAMES.get(code, code).replace("_", " ")
