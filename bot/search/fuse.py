"""Fusion of the signals into one calibrated 0..1 score (pure functions).

Signals come by name (`{"semantic": {row: cosine}, "keyword": {row: bm25}}`)
with a weight each: a convex mix of the signals (BM25 saturated to 0..1)
plus a small prior for troubleshooting entries, squashed by a logistic whose
midpoint is the abstain threshold, so a score of 0.5 means "as sure as the
threshold". A rule hit ranks above every candidate no rule named, whatever
the other signals say: `fuse` keeps that promise itself. The constants were
tuned with `chsm eval` on the train split only.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

WEIGHTS = {"semantic": 0.75, "keyword": 0.25}
KEYWORD_SATURATION = 6.0  # bm25 at which the keyword signal is half-way to 1
KIND_PRIOR = {"troubleshooting": 0.04, "faq": 0.015, "article": 0.0}
MIDPOINT = 0.40  # mixed score at which we stop abstaining
WIDTH = 0.06
ABSTAIN_BELOW = 0.5
RULE_FLOOR = 0.9
SIGNAL_MIN = {"semantic": 0.35, "keyword": 2.0}  # a signal "fired" at or above this raw value


@dataclass
class Candidate:
    row: int
    score: float
    mixed: float
    signals: list[str] = field(default_factory=list)


def unit(name: str, raw: float) -> float:
    """A raw signal value on 0..1: cosine as it is, BM25 saturated."""
    if name == "keyword":
        return raw / (raw + KEYWORD_SATURATION) if raw > 0 else 0.0
    return raw


# The confidence that the top candidate is right, as a logistic over signals
# that tell answerable questions from questions about something else: the
# best cosine and BM25 and their margins over the runner-up, whether the two
# signals agree on the top entry, how much of the query the corpus knows, and
# whether it speaks this product's words. Fitted by bench/calibrate.py on the
# train split only (l2 0.1, answerable weight 3); the held-out split is the
# honest figure.
GATE = {
    "bias": -9.932,
    "s1": 3.361,
    "log_k1": 0.543,
    "hsm": 1.372,
    "domain": 1.578,
    "agree": 1.239,
    "cover": 5.971,
    "s_margin": 7.756,
    "log_k_margin": 1.390,
}


def gate_features(sem: Mapping[int, float], kw: Mapping[int, float], cover: float, hsm: bool, domain: bool) -> dict[str, float]:
    s = sorted(sem.values(), reverse=True) + [0.0, 0.0]
    k = sorted(kw.values(), reverse=True) + [0.0, 0.0]
    agree = bool(sem) and bool(kw) and max(sem, key=sem.__getitem__) == max(kw, key=kw.__getitem__)
    return {
        "bias": 1.0,
        "s1": s[0],
        "log_k1": math.log1p(k[0]),
        "hsm": float(hsm),
        "domain": float(domain),
        "agree": float(agree),
        "cover": cover,
        "s_margin": s[0] - s[1],
        "log_k_margin": math.log1p(k[0]) - math.log1p(k[1]),
    }


def confidence(features: Mapping[str, float], gate: Mapping[str, float] = GATE) -> float:
    z = sum(w * features.get(name, 0.0) for name, w in gate.items())
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def calibrate(mixed: float) -> float:
    return 1.0 / (1.0 + math.exp(-(mixed - MIDPOINT) / WIDTH))


def fuse(
    signals: Mapping[str, Mapping[int, float]],
    weights: Mapping[str, float],
    kinds: list[str],
    rule_rows: list[int],
) -> list[Candidate]:
    """Rows sorted best first. `rule_rows` are in rule order (best first)."""
    rows = set(rule_rows).union(*(signals.get(name, {}) for name in weights))
    out = []
    for row in rows:
        mixed = KIND_PRIOR.get(kinds[row], 0.0)
        fired, strongest = [], ("", -1.0)
        for name, weight in weights.items():
            raw = signals.get(name, {}).get(row, 0.0)
            value = unit(name, raw)
            mixed += weight * value
            if raw >= SIGNAL_MIN.get(name, 0.0) and raw > 0:
                fired.append(name)
            if value > strongest[1]:
                strongest = (name, value)
        score = calibrate(mixed)
        if row in rule_rows:
            # One band per rule rank above the floor: rule order first, then the mix.
            rank, n = rule_rows.index(row), len(rule_rows)
            score = RULE_FLOOR + (1 - RULE_FLOOR) * (n - rank - 1 + 0.5 + 0.4 * score) / n
            names = ["regex", *fired]
        else:
            if rule_rows:  # below every rule hit, order among the rest kept
                score *= RULE_FLOOR * 0.999
            names = fired or [strongest[0]]  # weak everywhere: name what put it on the list
        out.append(Candidate(row, score, mixed, names))
    out.sort(key=lambda c: (-c.score, -c.mixed, c.row))
    return out
