"""Fit the confidence gate (bot/search/fuse.py GATE) on the TRAIN split only.

The gate is a logistic regression, fitted by Newton's method with an L2
penalty, on features of the fused ranking without the gate: target 1 when
the query is answerable and the top entry is right. Answerable rows weigh
more (wrongly abstaining on a real question costs a user an answer). Queries
a rule or the scope check decides are left out: the gate never sees them.

    .venv/bin/python bench/calibrate.py [--l2 0.1] [--pos-weight 3]

Prints the GATE dict to paste into fuse.py, and the figures on train and on
the held-out split (never used for fitting).
"""

import argparse
import math

import numpy as np

from bot.config import settings
from bot.evaluate import DEFAULT_QUERIES, load_queries, resolve
from bot.search import fuse as fusion
from bot.search.engine import Engine


def fit(X: np.ndarray, y: np.ndarray, l2: float, pos_weight: float) -> np.ndarray:
    w = np.where(y == 1, pos_weight, 1.0)
    b = np.zeros(X.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(X.shape[1] - 1)])  # the bias is not penalised
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ b))
        grad = X.T @ (w * (p - y)) + penalty @ b
        hess = (X.T * (w * p * (1 - p))) @ X + penalty
        b -= np.linalg.solve(hess, grad)
    return b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--l2", type=float, default=0.1)
    ap.add_argument("--pos-weight", type=float, default=3.0)
    args = ap.parse_args()
    cfg = settings()
    engine = Engine.open(cfg.chsm_corpus_dir, cfg.chsm_index_dir)
    queries = load_queries([p for p in DEFAULT_QUERIES if p.exists()])
    prepared = [engine.prepare(q["query"]) for q in queries]
    results = engine.rank(prepared, top=1, gate=False)
    names = list(fusion.GATE)
    rows = {"train": ([], []), "heldout": ([], [])}
    for q, p, r in zip(queries, prepared, results):
        if p.hits or p.scope or not r.answers:
            continue
        want = set().union(*(resolve(engine, lbl) for lbl in q["expect"])) if q["expect"] else set()
        signals = {"semantic": engine._semantic(engine.encoder.encode([p.focused]))[0], "keyword": engine._keyword(p.focused)}
        f = engine.features(p, signals)
        rows[q["split"]][0].append([f[n] for n in names])
        rows[q["split"]][1].append(1.0 if r.answers[0].id in want else 0.0)
    X, y = (np.array(v) for v in rows["train"])
    b = fit(X, y, args.l2, args.pos_weight)
    print("GATE = {\n" + "".join(f'    "{n}": {v:.3f},\n' for n, v in zip(names, b)) + "}")
    for split, (Xs, ys) in rows.items():
        Xs, ys = np.array(Xs), np.array(ys)
        p = 1 / (1 + np.exp(-Xs @ b))
        answered = p >= fusion.ABSTAIN_BELOW
        print(f"{split}: n {len(ys)}, answered {answered.mean():.3f}, right among answered {ys[answered].mean():.3f}, "
              f"right but abstained {(ys * ~answered).sum():.0f}, log loss {-np.mean(ys * np.log(p) + (1 - ys) * np.log(1 - p)):.3f}")
    assert math.isfinite(b.sum())


if __name__ == "__main__":
    main()
