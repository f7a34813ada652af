"""The cascade, the default judge of ``check`` and ``batch`` when the large tier is installed (``--verify large``):
the default model screens every aligned pair, a verifier decides the rest.

It is a judge like any single NLI model: the pipeline calls the same ``NLIModel`` methods on both
(``judge_settings``, ``review``, ``report_models``) and never asks which kind it holds.

The default NLI model scores every pair both ways, as without the cascade. A pair goes on to the verifier
when its two-way contradiction score reaches the screening threshold, or when the default model calls it a
contradiction; the verifier scores it both ways and its verdict, at its own thresholds, is the pair's. So
every contradiction reported has been confirmed by the verifier. The screening threshold is fitted on
validation for recall >= 0.98 of what the verifier alone would report (``factcheck.evaluation.screening``)
and saved with the verifier's thresholds (``thresholds.json`` -> ``screen``); without one, a conservative
``DEFAULT_SCREEN`` sends more pairs on.

Pairs a time check decided (``ScoredPair.notes``) keep that verdict; the verifier's scores are still shown.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from factcheck.errors import InputError
from factcheck.models import ModelInfo
from factcheck.nli import NLIModel, Pair
from factcheck.verdict import Thresholds, Verdict, decide, two_way_scores

__all__ = ["DEFAULT_SCREEN", "DEFAULT_VERIFIER", "CascadeNLI", "cascade_settings", "default_verifier", "load_cascade",
           "screen_mask", "verify_decided"]

log = logging.getLogger("factcheck")

# Used until a threshold is fitted for the verifier: low, so that few of its contradictions are missed.
DEFAULT_SCREEN = 0.2
# The judge `check`, `batch` and `eval --preset news-pairs` use by default: the default model screens, the large
# tier verifies (it won on the news-pairs validation split; eval/results/judge_s23.md).
DEFAULT_VERIFIER = "large"
_NO_VERIFIER = ("none", "no", "off")
VERIFY_ENV = "FACTCHECK_VERIFY"  # the verifier when none is given: a name, or "none"


def _verifier_installed(name: str) -> list[str]:
    """What the default verifier lacks here (empty: it can load)."""
    from factcheck.nli.large import missing

    return missing() if name == "large" else []


def default_verifier(verify: str | None, small: bool = False, nli_model: str = "default") -> str | None:
    """The verifier a run uses, as the CLI resolves it: ``verify`` when given ("none": no cascade), none with
    ``small`` or a chosen ``nli_model``, else ``$FACTCHECK_VERIFY`` when set, else ``DEFAULT_VERIFIER`` when it is
    installed. When it is not, one warning says so and how to install it, and the default model decides alone
    (the report records which)."""
    if small and verify and verify.lower() not in _NO_VERIFIER:
        raise InputError(f"--small uses the small judge alone; it cannot take --verify {verify}")
    if verify:
        return None if verify.lower() in _NO_VERIFIER else verify
    if small or nli_model != "default":
        return None
    chosen = os.environ.get(VERIFY_ENV, "").strip()
    if chosen:
        return None if chosen.lower() in _NO_VERIFIER else chosen
    lacking = _verifier_installed(DEFAULT_VERIFIER)
    if lacking:
        from factcheck.nli.large import INSTALL_HINT

        log.warning("the %s judge is not installed here (%s), so the small judge decides alone, as with --small; "
                    "install it with: %s", DEFAULT_VERIFIER, "; ".join(lacking), INSTALL_HINT)
        return None
    return DEFAULT_VERIFIER


class CascadeNLI(NLIModel):
    """The screening model, carrying the verifier: predicts as ``screen``; the pipeline adds the verification.

    ``screen_threshold`` and ``thresholds`` (the verifier's verdict thresholds) default to those saved with
    the verifier (its ``thresholds.json``: ``screen.threshold``, ``contradiction``, ``agreement``).
    """

    def __init__(self, screen: NLIModel, verifier: NLIModel, screen_threshold: float | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.screen = screen
        self.verifier = verifier
        self.info = screen.info
        self.max_length = screen.max_length
        saved = dict((verifier.info.extra or {}).get("thresholds") or {})
        fitted = saved.get("screen") if isinstance(saved.get("screen"), dict) else {}
        if screen_threshold is None:
            screen_threshold = fitted.get("threshold", DEFAULT_SCREEN)
        if not isinstance(screen_threshold, (int, float)) or not 0.0 <= screen_threshold <= 1.0:
            raise InputError(f"screening threshold must lie between 0 and 1, got {screen_threshold!r}")
        self.screen_threshold = float(screen_threshold)
        self.screen_fit = {k: v for k, v in fitted.items() if k != "threshold"} if "threshold" in fitted else None
        if thresholds is None:
            if saved:
                thresholds = Thresholds.from_dict(saved, f"thresholds of NLI model {verifier.info.name}")
            else:
                log.warning("verifier %s has no fitted thresholds; using %s", verifier.info.name, Thresholds())
                thresholds = Thresholds()
        self.thresholds = thresholds

    def _predict_batch(self, pairs: list[Pair]) -> np.ndarray:
        return self.screen._predict_batch(pairs)

    def token_lengths(self, pairs):
        return self.screen.token_lengths(pairs)

    def predict_with_flags(self, pairs, batch_size: int = 32, progress=None):
        return self.screen.predict_with_flags(pairs, batch_size, progress)

    def judge_settings(self, settings):
        """``settings`` with ``verify`` naming this cascade's verifier."""
        return cascade_settings(self, settings)

    def review(self, aligned, decided, settings, progress=None) -> list:
        """The verifier decides the pairs the screen sends on (``verify_decided``)."""
        return verify_decided(aligned, decided, self, settings, progress)

    def report_models(self) -> dict[str, ModelInfo]:
        return {"nli": self.info, "verifier": self.verifier_info()}

    def verifier_info(self) -> ModelInfo:
        """The verifier's provenance with the cascade's settings, as the report records it."""
        cascade = {"screen_threshold": self.screen_threshold,
                   "screen_fitted": self.screen_fit is not None, "thresholds": self.thresholds.to_dict()}
        if self.screen_fit:
            cascade["screen_fit"] = self.screen_fit
        return replace(self.verifier.info, extra={**(self.verifier.info.extra or {}), "cascade": cascade})


def load_cascade(nli: NLIModel, verify: str, device: str | None = None, verifier: NLIModel | None = None) -> CascadeNLI:
    """``nli`` screening for the verifier ``verify`` (a registry name or path, loaded here unless given)."""
    if isinstance(nli, CascadeNLI):
        return nli
    if verifier is None:
        from factcheck.models import quiet_loading
        from factcheck.nli import load_nli

        with quiet_loading():
            verifier = load_nli(verify, device=device)
    return CascadeNLI(nli, verifier)


def cascade_settings(nli: NLIModel, settings):
    """``settings`` with ``verify`` naming the cascade's verifier; InputError when they disagree."""
    if isinstance(nli, CascadeNLI):
        return settings if settings.verify else replace(settings, verify=nli.verifier.info.name)
    if settings.verify:
        raise InputError(f"verify={settings.verify!r} needs a cascade: pass "
                         "factcheck.nli.cascade.load_cascade(nli, verify) as the NLI model")
    return settings


def screen_mask(forward: np.ndarray, backward: np.ndarray, labels: Sequence[Verdict], identical: np.ndarray,
                threshold: float) -> np.ndarray:
    """Which pairs go to the verifier: two-way contradiction >= ``threshold``, or a contradiction verdict;
    never a pair worded the same (it cannot contradict)."""
    contradiction, _ = two_way_scores(forward, backward)
    called = np.array([v is Verdict.contradiction for v in labels], dtype=bool)
    return ((contradiction >= threshold) | called) & ~np.asarray(identical, dtype=bool)


Progress = Callable[[str, int], Callable[[int], None]]


def verify_decided(aligned: Sequence, decided: Sequence[tuple[list, dict]], cascade: CascadeNLI, settings,
                   progress: Progress | None = None) -> list[tuple[list, dict]]:
    """Phase 5b: the screened pairs of every cluster scored by the verifier in one call; its verdicts replace
    the default model's (not where a time check decided). ``aligned[c].nli_pairs[2k]``, ``[2k + 1]`` are
    candidate k's two directions, as ``decided[c][0][k]`` is its ``ScoredPair``."""
    chosen: list[np.ndarray] = []
    index: dict[tuple[str, str], int] = {}
    for item, (pairs, _) in zip(aligned, decided):
        if not pairs:
            chosen.append(np.zeros(0, dtype=np.int64))
            continue
        mask = screen_mask(np.stack([p.forward for p in pairs]), np.stack([p.backward for p in pairs]),
                           [p.label for p in pairs], np.array([p.identical for p in pairs]), cascade.screen_threshold)
        ks = np.flatnonzero(mask)
        chosen.append(ks)
        for k in ks:
            index.setdefault(item.nli_pairs[2 * k], len(index))
            index.setdefault(item.nli_pairs[2 * k + 1], len(index))
    if index:
        unique = list(index)
        probs, overlong = cascade.verifier.predict_with_flags(
            unique, batch_size=settings.batch_size,
            progress=progress("verifying candidates", len(unique)) if progress else None)
    out = []
    for item, (pairs, stats), ks in zip(aligned, decided, chosen):
        stats = {**stats, "pairs_verified": int(len(ks))}
        if not len(ks):
            out.append((pairs, stats))
            continue
        fwd = probs[[index[item.nli_pairs[2 * k]] for k in ks]]
        bwd = probs[[index[item.nli_pairs[2 * k + 1]] for k in ks]]
        cut = overlong[[index[item.nli_pairs[2 * k]] for k in ks]] | overlong[[index[item.nli_pairs[2 * k + 1]] for k in ks]]
        c, a = two_way_scores(fwd, bwd)
        labels, scores = decide(c, a, cascade.thresholds)
        pairs = list(pairs)
        for row, k in enumerate(ks):
            p = pairs[k]
            update = {"verifier": (fwd[row], bwd[row]), "overlong": bool(p.overlong or cut[row])}
            if not getattr(p, "notes", ()):
                update.update(label=labels[row], score=float(scores[row]))
            pairs[k] = replace(p, **update)
        out.append((pairs, stats))
    return out
