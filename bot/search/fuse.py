"""Fusion of the three signals into one calibrated 0..1 score (pure functions).

A convex mix of semantic cosine and saturated BM25 plus a small prior for
troubleshooting entries, squashed by a logistic whose midpoint is the abstain
threshold: score 0.5 means "as sure as the threshold". A rule hit on the
error text puts the entry above every non-rule candidate. The constants were
tuned with `chsm eval` on tests/eval_queries.jsonl.
"""

import math
from dataclasses import dataclass, field

SEMANTIC_WEIGHT = 0.75
KEYWORD_SATURATION = 6.0  # bm25 at which the keyword signal is half-way to 1
KIND_PRIOR = {"troubleshooting": 0.04, "faq": 0.015, "article": 0.0}
MIDPOINT = 0.40  # mixed score at which we stop abstaining
WIDTH = 0.06
RULE_FLOOR = 0.9
SIGNAL_MIN = {"semantic": 0.35, "keyword": 2.0}


@dataclass
class Candidate:
    row: int
    score: float
    mixed: float
    signals: list[str] = field(default_factory=list)


def mix(semantic: float, bm25: float, kind: str, semantic_weight: float = SEMANTIC_WEIGHT) -> float:
    kw = bm25 / (bm25 + KEYWORD_SATURATION) if bm25 > 0 else 0.0
    return semantic_weight * semantic + (1 - semantic_weight) * kw + KIND_PRIOR.get(kind, 0.0)


def calibrate(mixed: float) -> float:
    return 1.0 / (1.0 + math.exp(-(mixed - MIDPOINT) / WIDTH))


def fuse(
    semantic: dict[int, float],
    bm25: dict[int, float],
    kinds: list[str],
    rule_rows: list[int],
    semantic_weight: float = SEMANTIC_WEIGHT,
) -> list[Candidate]:
    """Rows sorted best first. `rule_rows` are in rule order (best first)."""
    rows = set(semantic) | set(bm25) | set(rule_rows)
    out = []
    for row in rows:
        s, k = semantic.get(row, 0.0), bm25.get(row, 0.0)
        mixed = mix(s, k, kinds[row], semantic_weight)
        signals = []
        if row in rule_rows:
            signals.append("regex")
        if k >= SIGNAL_MIN["keyword"]:
            signals.append("keyword")
        if s >= SIGNAL_MIN["semantic"]:
            signals.append("semantic")
        if not signals:  # weak everywhere: name what put it on the list at all
            signals.append("semantic" if s >= k / (k + KEYWORD_SATURATION) else "keyword")
        score = calibrate(mixed)
        if row in rule_rows:
            # Above every non-rule candidate, and in rule order among rule hits.
            rank = rule_rows.index(row)
            score = RULE_FLOOR + (1 - RULE_FLOOR) * (0.9 ** rank) * (0.5 + 0.4 * score)
        out.append(Candidate(row, score, mixed, signals))
    out.sort(key=lambda c: (-c.score, -c.mixed, c.row))
    return out
