"""Validate the eval set: every label must name at least one corpus entry.

    .venv/bin/python tests/eval/check_labels.py            # from the repo root

Checks tests/eval/queries.jsonl and tests/eval/logs.jsonl (and the label
constants in _labels.py), the shape of every row, the log files themselves,
and prints counts per kind and split. Exits 1 on any problem.

A label is "<doc>: <title substring>" with the same meaning as
bot.evaluate.resolve: <doc> is the file stem (or the whole doc path) and the
substring is matched case-insensitively against the entry title. In
logs.jsonl one expected problem may list equally right alternatives as
"a | b"; each alternative must resolve on its own.
"""

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bot.corpus import load_corpus  # noqa: E402

ANSWER_KINDS = {"exact", "log", "paraphrase", "typo", "chatter", "both"}
ABSTAIN_KINDS = {"neighbour", "azure", "generic", "chitchat"}
SPLITS = {"train", "heldout"}
MINIMUMS = {"answerable (exact/log/paraphrase/typo/chatter)": 330, "abstain": 330, "neighbour": 150, "both": 25, "log files": 40}


def resolver(entries):
    def resolve(label: str) -> list:
        doc, sep, title = label.partition(": ")
        if not sep or not doc or not title:
            return []
        t = title.lower()
        return [e for e in entries if (e.doc == doc or e.doc.endswith("/" + doc)) and t in e.title.lower()]

    return resolve


def main() -> int:
    entries = load_corpus(ROOT / "corpus")
    resolve = resolver(entries)
    problems: list[str] = []
    used: Counter = Counter()

    def check_label(label: str, where: str) -> None:
        if not isinstance(label, str) or not resolve(label):
            problems.append(f"{where}: label names no entry: {label!r}")
        else:
            for e in resolve(label):
                used[e.id] += 1

    import _labels  # the constants the source files use

    for name in dir(_labels):
        if name.isupper():
            label = getattr(_labels, name)
            if not resolve(label):
                problems.append(f"_labels.{name}: names no entry: {label!r}")

    # queries.jsonl
    qpath = HERE / "queries.jsonl"
    rows = [json.loads(line) for line in qpath.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: dict[str, int] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    for i, r in enumerate(rows, 1):
        where = f"queries.jsonl:{i}"
        if set(r) != {"query", "kind", "expect", "split"}:
            problems.append(f"{where}: keys must be query, kind, expect, split; got {sorted(r)}")
            continue
        q, kind, expect, split = r["query"], r["kind"], r["expect"], r["split"]
        if not isinstance(q, str) or not q.strip():
            problems.append(f"{where}: empty query")
        if split not in SPLITS:
            problems.append(f"{where}: bad split {split!r}")
        if kind in ANSWER_KINDS:
            if not expect:
                problems.append(f"{where}: kind {kind} needs at least one label")
        elif kind in ABSTAIN_KINDS:
            if expect:
                problems.append(f"{where}: kind {kind} must abstain (expect [])")
        else:
            problems.append(f"{where}: unknown kind {kind!r}")
        if len(expect) != len(set(expect)) or len(expect) > 3:
            problems.append(f"{where}: duplicate labels or more than three")
        for label in expect:
            check_label(label, where)
        if kind == "log":
            n = len([ln for ln in q.splitlines() if ln.strip()])
            if not 3 <= n <= 15:
                problems.append(f"{where}: a log query has {n} lines (want 3-15)")
        key = " ".join(q.lower().split())
        if key in seen:
            problems.append(f"{where}: duplicate of line {seen[key]}")
        seen[key] = i
        counts[kind][split] += 1

    # logs.jsonl and the files
    lpath = HERE / "logs.jsonl"
    logs = [json.loads(line) for line in lpath.read_text(encoding="utf-8").splitlines() if line.strip()]
    log_counts: Counter = Counter()
    files_listed = set()
    for i, r in enumerate(logs, 1):
        where = f"logs.jsonl:{i}"
        if set(r) != {"file", "expect", "split"}:
            problems.append(f"{where}: keys must be file, expect, split; got {sorted(r)}")
            continue
        if r["split"] not in SPLITS:
            problems.append(f"{where}: bad split {r['split']!r}")
        f = HERE / "logs" / r["file"]
        files_listed.add(r["file"])
        if not f.is_file() or f.suffix != ".log":
            problems.append(f"{where}: no such .log file {r['file']}")
        else:
            n = len(f.read_text(encoding="utf-8").splitlines())
            if not 10 <= n <= 300:
                problems.append(f"{where}: {r['file']} has {n} lines (want 10-300)")
        if len(r["expect"]) != len(set(r["expect"])):
            problems.append(f"{where}: duplicate expected problems")
        for problem in r["expect"]:
            for alt in problem.split(" | "):
                check_label(alt.strip(), where)
        log_counts[r["split"]] += 1
    for f in sorted((HERE / "logs").glob("*")):
        if f.name not in files_listed:
            problems.append(f"logs/{f.name} is not listed in logs.jsonl")

    # report
    print(f"corpus: {len(entries)} entries; labels cover {len(used)} distinct entries")
    print(f"\n{'kind':<12}{'train':>7}{'heldout':>9}{'total':>7}{'heldout%':>10}")
    tot = Counter()
    for group, kinds in (("answerable", ["exact", "log", "paraphrase", "typo", "chatter", "both"]), ("abstain", ["neighbour", "azure", "generic", "chitchat"])):
        g = Counter()
        for k in kinds:
            c = counts.get(k, Counter())
            n = c["train"] + c["heldout"]
            print(f"{k:<12}{c['train']:>7}{c['heldout']:>9}{n:>7}{(100 * c['heldout'] / n if n else 0):>9.0f}%")
            g.update(c)
        n = g["train"] + g["heldout"]
        print(f"{'= ' + group:<12}{g['train']:>7}{g['heldout']:>9}{n:>7}{(100 * g['heldout'] / n if n else 0):>9.0f}%")
        tot.update(g)
    n = tot["train"] + tot["heldout"]
    print(f"{'= all':<12}{tot['train']:>7}{tot['heldout']:>9}{n:>7}{(100 * tot['heldout'] / n if n else 0):>9.0f}%")
    nl = log_counts["train"] + log_counts["heldout"]
    print(f"\nlog files: {log_counts['train']} train, {log_counts['heldout']} heldout, {nl} total; "
          f"{sum(len(r['expect']) for r in logs)} expected findings, {sum(not r['expect'] for r in logs)} logs expect none")

    answerable5 = sum(sum(counts[k].values()) for k in ["exact", "log", "paraphrase", "typo", "chatter"])
    paraphrase = sum(counts["paraphrase"].values())
    have = {
        "answerable (exact/log/paraphrase/typo/chatter)": answerable5,
        "abstain": sum(sum(counts[k].values()) for k in ABSTAIN_KINDS),
        "neighbour": sum(counts["neighbour"].values()),
        "both": sum(counts["both"].values()),
        "log files": nl,
    }
    for what, need in MINIMUMS.items():
        if have[what] < need:
            problems.append(f"only {have[what]} {what} (want at least {need})")
    answerable_all = answerable5 + have["both"]
    if answerable_all and paraphrase / answerable_all < 0.40:
        problems.append(f"paraphrase is {paraphrase / answerable_all:.0%} of the answerable set (want at least 40%)")
    print(f"paraphrase share of answerable (incl. both): {paraphrase / max(answerable_all, 1):.0%}")

    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("\nok: every label resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
