"""`chsm eval`: answer quality on the labelled sets, per split and kind, for
the fused ranking and for each single signal.

A label is `"<doc>: <title substring>"`; every entry it names is a right
answer (some questions have two good homes). Queries with no label must
abstain. Each query carries a `split`: `train` (the constants were tuned on
it) or `heldout` (never tuned on: the honest figure).
"""

import json
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT

DEFAULT_QUERIES = [PROJECT_ROOT / "tests" / "eval" / "queries.jsonl", PROJECT_ROOT / "tests" / "eval_queries.jsonl"]
DEFAULT_LOGS = PROJECT_ROOT / "tests" / "eval" / "logs.jsonl"
MODES = {"fused": None, "keyword": {"keyword": 1.0}, "semantic": {"semantic": 1.0}}


def load_queries(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                q.setdefault("split", "train")  # the first, hand-tuned set
                out.append(q)
    return out


def resolve(engine, label: str) -> set[str]:
    doc, _, title = label.partition(": ")
    ids = set(engine.entry_ids(doc, title))
    if not ids:
        raise ValueError(f"eval label names no entry: {label!r}")
    return ids


def _metrics(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["expect"]]
    offtopic = [r for r in rows if not r["expect"]]
    answered = [r for r in rows if not r["abstained"]]
    m: dict = {"n": len(rows)}
    if answerable:
        # Top-1 means answered and right; top-3 counts suggestions under an abstention too.
        m["top1"] = sum(r["rank"] == 1 and not r["abstained"] for r in answerable) / len(answerable)
        m["top3"] = sum(0 < r["rank"] <= 3 for r in answerable) / len(answerable)
        m["mrr"] = sum(1 / r["rank"] for r in answerable if r["rank"]) / len(answerable)
        m["wrong_abstain"] = sum(r["abstained"] for r in answerable) / len(answerable)
    if offtopic:
        m["abstain_recall"] = sum(r["abstained"] for r in offtopic) / len(offtopic)
    if answered:
        # How many confident answers were right: the figure an ops channel lives with.
        m["answered_precision"] = sum(r["rank"] == 1 for r in answered) / len(answered)
    m["confident_wrong"] = sum(r["rank"] != 1 for r in answered)
    return m


class _Remembered:
    """An encoder that encodes each text once: the fused and the semantic
    mode ask for the same ~900 queries (9 ms each)."""

    def __init__(self, inner):
        self.inner, self.memo = inner, {}

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if new:
            self.memo.update(zip(new, self.inner.encode(new)))
        return np.stack([self.memo[t] for t in texts]) if texts else self.inner.encode([])


def run(engine, paths: list[Path] | None = None, modes=tuple(MODES), splits: tuple[str, ...] | None = None) -> dict:
    """The figures per mode, split and kind; `splits` keeps only those (the
    held-out split alone is a third of the queries, and of the encoding)."""
    from bot.search.engine import Engine

    assert isinstance(engine, Engine)
    engine = engine.with_encoder(_Remembered(engine.encoder))
    paths = [p for p in (paths or DEFAULT_QUERIES) if p.exists()]
    queries = [q for q in load_queries(paths) if splits is None or q["split"] in splits]
    expected = [set().union(*(resolve(engine, lbl) for lbl in q["expect"])) if q["expect"] else set() for q in queries]
    prepared = [engine.prepare(q["query"]) for q in queries]
    report: dict = {"queries": [str(p) for p in paths], "modes": {}}
    for mode in modes:
        weights = MODES[mode]
        results = engine.rank(prepared, top=10, weights=weights, rules=weights is None)
        rows, misses = [], []
        for q, want, res in zip(queries, expected, results):
            ids = [a.id for a in res.answers]
            rank = next((i + 1 for i, x in enumerate(ids) if x in want), 0)
            rows.append({"kind": q["kind"], "split": q["split"], "expect": bool(want), "rank": rank, "abstained": res.abstained})
            if want and (rank != 1 or res.abstained) or (not want and not res.abstained):
                misses.append({
                    "query": q["query"][:100], "kind": q["kind"], "split": q["split"], "got": ids[0] if ids else None,
                    "rank": rank, "abstained": res.abstained, "score": res.answers[0].score if res.answers else None,
                })
        present = sorted({r["split"] for r in rows})
        report["modes"][mode] = {
            split: {
                "all": _metrics([r for r in rows if r["split"] == split]),
                "by_kind": {
                    k: _metrics([r for r in rows if r["split"] == split and r["kind"] == k])
                    for k in sorted({r["kind"] for r in rows if r["split"] == split})
                },
            }
            for split in present
        }
        report["modes"][mode]["misses"] = misses
    return report


def run_logs(engine, path: Path = DEFAULT_LOGS, splits: tuple[str, ...] | None = None) -> dict:
    """Triage of labelled logs: recall of the problems in them, and findings
    that name no expected problem (false positives), per split (`splits`: only those)."""
    from bot.triage import triage

    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        spec = json.loads(line)
        if splits is not None and spec.get("split", "train") not in splits:
            continue
        # "a | b": either label is right for that problem.
        problems = [set().union(*(resolve(engine, alt) for alt in lbl.split(" | "))) for lbl in spec["expect"]]
        with open(path.parent / "logs" / spec["file"], "rb") as f:
            r = triage(engine, [(spec["file"], f)])
        got = [f.answer.id for f in r.findings]
        found = sum(any(g in p for g in got) for p in problems)
        wrong = [g for g in got if not any(g in p for p in problems)]
        rows.append({"file": spec["file"], "split": spec.get("split", "train"), "problems": len(problems), "found": found,
                     "findings": len(got), "false": wrong})
    out: dict = {}
    for split in sorted({r["split"] for r in rows}):
        rs = [r for r in rows if r["split"] == split]
        total = sum(r["problems"] for r in rs)
        out[split] = {
            "logs": len(rs),
            "recall": sum(r["found"] for r in rs) / total if total else 1.0,
            "false_findings": sum(len(r["false"]) for r in rs),
            "over_plus_2": sum(r["findings"] > r["problems"] + 2 for r in rs),
            "misses": [r for r in rs if r["found"] < r["problems"] or r["false"]],
        }
    return out


def format_logs(report: dict) -> str:
    lines = ["triage of labelled logs:"]
    for split, m in report.items():
        lines.append(
            f"  {split:<8} logs {m['logs']:>3}  problem recall {m['recall']:.3f}  false findings {m['false_findings']}  "
            f"logs with more findings than problems + 2: {m['over_plus_2']}"
        )
    return "\n".join(lines)


# The bars `chsm eval --check` (CI) and tests/test_eval.py hold the figures to:
# a little under today's, so that a change that answers off-topic questions
# or loses real ones fails. (split, kind or "ALL", metric, ">=" | "<=" | "==", bar)
BARS = [
    ("heldout", "ALL", "n", ">=", 300),
    ("heldout", "ALL", "top1", ">=", 0.82),
    ("heldout", "ALL", "top3", ">=", 0.94),
    ("heldout", "ALL", "wrong_abstain", "<=", 0.05),
    ("heldout", "ALL", "confident_wrong", "<=", 40),
    ("heldout", "exact", "top1", "==", 1.0),
    ("heldout", "log", "top1", ">=", 0.94),
    *[("heldout", kind, "abstain_recall", ">=", 0.90) for kind in ("neighbour", "azure", "generic", "chitchat")],
    ("train", "ALL", "top3", ">=", 0.96),
    ("train", "exact", "top1", "==", 1.0),
    ("train", "typo", "top1", ">=", 0.97),
]
LOG_BARS = [("recall", ">=", 0.96), ("over_plus_2", "==", 0)]  # each split; and no false finding on held-out logs


def _holds(value, op: str, bar) -> bool:
    return value is not None and {">=": value >= bar, "<=": value <= bar, "==": value == bar}[op]


def failures(report: dict) -> list[str]:
    """Every bar the report falls short of, in words; splits the report does not have are not judged."""
    out = []
    fused = report["modes"].get("fused", {})
    for split, kind, metric, op, bar in BARS:
        if split not in fused:
            continue
        m = fused[split]["all"] if kind == "ALL" else fused[split]["by_kind"].get(kind, {})
        if not _holds(m.get(metric), op, bar):
            out.append(f"fused {split} {kind} {metric} is {m.get(metric)}, the bar is {op} {bar}")
    for single in ("keyword", "semantic"):  # fusing must beat either signal alone
        for split, data in report["modes"].get(single, {}).items():
            if split in fused and isinstance(data, dict) and "all" in data:
                if not fused[split]["all"].get("top1", 0) > data["all"].get("top1", 0):
                    out.append(f"fused {split} top1 does not beat {single} alone")
    for split, m in report.get("logs", {}).items():
        for metric, op, bar in LOG_BARS + ([("false_findings", "==", 0)] if split == "heldout" else []):
            if not _holds(m.get(metric), op, bar):
                out.append(f"labelled logs {split} {metric} is {m.get(metric)}, the bar is {op} {bar}")
    return out


COLS = ("n", "top1", "top3", "mrr", "wrong_abstain", "abstain_recall", "answered_precision", "confident_wrong")
HEAD = ("n", "top1", "top3", "mrr", "wr.abst", "abst.rec", "ans.prec", "conf.wr")


def format_report(report: dict, misses: bool = True) -> str:
    lines = ["labelled sets: " + ", ".join(report["queries"]), ""]
    header = f"{'mode':<9} {'split':<8} {'kind':<11} " + " ".join(f"{c:>8}" for c in HEAD)
    lines += [header, "-" * len(header)]
    for mode, data in report["modes"].items():
        for split in ("heldout", "train"):
            if split not in data:
                continue
            kinds = [("ALL", data[split]["all"])] + (list(data[split]["by_kind"].items()) if mode == "fused" else [])
            for kind, m in kinds:
                cells = []
                for c in COLS:
                    v = m.get(c)
                    cells.append(f"{v:>8}" if isinstance(v, int) else (f"{v:>8.3f}" if v is not None else f"{'-':>8}"))
                lines.append(f"{mode:<9} {split:<8} {kind:<11} " + " ".join(cells))
        lines.append("")
    fused = report["modes"].get("fused")
    if misses and fused and fused["misses"]:
        lines.append("fused misses:")
        for m in fused["misses"]:
            lines.append(
                f"  [{m['split']}/{m['kind']}] {m['query']!r} -> {m['got']} (rank {m['rank']}, abstained {m['abstained']}, score {m['score']})"
            )
    return "\n".join(lines)
