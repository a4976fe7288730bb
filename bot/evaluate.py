"""`chsm eval`: retrieval quality on the labelled query set, for the fused
ranking and for each single signal, per kind of query.

A label is `"<doc>: <title substring>"`; every entry it names is a right
answer (some questions have two good homes). Off-topic queries have no
label and must abstain.
"""

import json
from pathlib import Path

from bot.config import PROJECT_ROOT

DEFAULT_QUERIES = PROJECT_ROOT / "tests" / "eval_queries.jsonl"
MODES = ("fused", "keyword", "semantic")


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def resolve(engine, label: str) -> set[str]:
    doc, _, title = label.partition(": ")
    ids = {
        e.id
        for e in engine.entries
        if (e.doc == doc or e.doc.endswith("/" + doc)) and title.lower() in e.title.lower()
    }
    if not ids:
        raise ValueError(f"eval label names no entry: {label!r}")
    return ids


def _metrics(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["expect"]]
    offtopic = [r for r in rows if not r["expect"]]
    abstained = [r for r in rows if r["abstained"]]
    m = {"n": len(rows)}
    if answerable:
        # Top-1 means answered and right; top-3 counts suggestions under an abstention too.
        m["top1"] = sum(r["rank"] == 1 and not r["abstained"] for r in answerable) / len(answerable)
        m["top3"] = sum(0 < r["rank"] <= 3 for r in answerable) / len(answerable)
        m["mrr"] = sum(1 / r["rank"] for r in answerable if r["rank"]) / len(answerable)
        m["wrong_abstain"] = sum(r["abstained"] for r in answerable) / len(answerable)
    if offtopic:
        m["abstain_recall"] = sum(r["abstained"] for r in offtopic) / len(offtopic)
    if abstained:
        m["abstain_precision"] = sum(not r["expect"] for r in abstained) / len(abstained)
    return m


def run(engine, path: Path, modes=MODES) -> dict:
    queries = load_queries(path)
    expected = [set().union(*(resolve(engine, lbl) for lbl in q["expect"])) if q["expect"] else set() for q in queries]
    report = {"queries": str(path), "modes": {}}
    for mode in modes:
        results = engine.ask_many([q["query"] for q in queries], top=10, mode=mode)
        rows, misses = [], []
        for q, want, res in zip(queries, expected, results):
            ids = [a.id for a in res.answers]
            rank = next((i + 1 for i, x in enumerate(ids) if x in want), 0)
            rows.append({"kind": q["kind"], "expect": bool(want), "rank": rank, "abstained": res.abstained})
            if want and (rank != 1 or res.abstained) or (not want and not res.abstained):
                misses.append({"query": q["query"][:100], "kind": q["kind"], "got": ids[0] if ids else None, "rank": rank, "abstained": res.abstained, "score": res.answers[0].score if res.answers else None})
        kinds = sorted({r["kind"] for r in rows})
        report["modes"][mode] = {
            "all": _metrics(rows),
            "by_kind": {k: _metrics([r for r in rows if r["kind"] == k]) for k in kinds},
            "misses": misses,
        }
    return report


def format_report(report: dict) -> str:
    cols = ("n", "top1", "top3", "mrr", "wrong_abstain", "abstain_recall", "abstain_precision")
    lines = [f"labelled set: {report['queries']}", ""]
    header = f"{'mode':<9} {'kind':<11} " + " ".join(f"{c:>8}" for c in ("n", "top1", "top3", "mrr", "wr.abst", "abst.rec", "abst.prc"))
    lines.append(header)
    lines.append("-" * len(header))
    for mode, data in report["modes"].items():
        for kind, m in [("ALL", data["all"])] + list(data["by_kind"].items()):
            cells = []
            for c in cols:
                v = m.get(c)
                cells.append(f"{v:>8}" if isinstance(v, int) else (f"{v:>8.3f}" if v is not None else f"{'-':>8}"))
            lines.append(f"{mode:<9} {kind:<11} " + " ".join(cells))
        lines.append("")
    fused = report["modes"].get("fused")
    if fused and fused["misses"]:
        lines.append("fused misses:")
        for m in fused["misses"]:
            lines.append(f"  [{m['kind']}] {m['query']!r} -> {m['got']} (rank {m['rank']}, abstained {m['abstained']}, score {m['score']})")
    return "\n".join(lines)
