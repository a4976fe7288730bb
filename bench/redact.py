"""Score and time bot/redact.py.

    python bench/redact.py                 # per-family leaks / over-masking, speed
    python bench/redact.py --module FILE   # score another redact.py (e.g. the old one)
    python bench/redact.py --failures      # print what leaked or was over-masked
"""

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "secrets"))

import corpus  # noqa: E402


def load(path: str | None):
    if not path:
        from bot import redact

        return redact
    spec = importlib.util.spec_from_file_location("redact_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def table(result: dict) -> None:
    rows = sorted(result["stats"].items(), key=lambda kv: (kv[0][0] != "train", kv[0][1]))
    print(f"{'split':8} {'family':10} {'secrets':>7} {'leaked':>6} {'keep':>5} {'masked':>6}")
    totals: dict = {}
    for (split, family), r in rows:
        print(f"{split:8} {family:10} {r['secrets']:7} {r['leaked']:6} {r['keep']:5} {r['masked']:6}")
        t = totals.setdefault(split, [0, 0, 0, 0])
        for i, k in enumerate(("secrets", "leaked", "keep", "masked")):
            t[i] += r[k]
    for split, (s, leaked, keep, masked) in totals.items():
        print(f"{split:8} {'TOTAL':10} {s:7} {leaked:6} {keep:5} {masked:6}   over-masked {100 * masked / max(keep, 1):.1f}%")


def timeit(fn, text: str, repeat: int = 5, clock=time.perf_counter) -> float:
    """Best of `repeat`. The CPU clock (thread_time) ignores the other
    processes on a shared machine; the wall clock is what a user waits."""
    best = []
    for _ in range(repeat):
        t = clock()
        fn(text)
        best.append(clock() - t)
    return min(best)


ADVERSARIAL = {
    "-u x ": "-u x ",
    "password=": "password=",
    "a:": "a:",
    'quote "': '"',
    "@": "@",
    "base64": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3+/",
    "://a:": "://a:",
    "mysql -p": "mysql -p ",
    "token ": "token ",
    "pin is ": "pin is ",
    "key: \\n": "password:\n",
    "BEGIN": "-----BEGIN RSA PRIVATE KEY-----",
    'pw="': 'pw="',
    "loginHSM CU": "loginHSM CU cu1 ",
    "curl -u": "curl -u a:",
    "name:\\nvalue:": "- name: DB_PASSWORD\n  value: ",
    "secret aaaa": "secret aaaaaaaaaaaaaaaaaaaaaaaa1 ",
    "eyJ.": "eyJabcdefghij.",
    "AKIA": "AKIAAAAAAAAAAAAAAAAA",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--module")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    mod = load(args.module)
    result = corpus.score(mod.redact, corpus.load())
    table(result)
    if args.failures:
        for f in result["failures"]:
            print("\n--", f["split"], f["family"], "leaked:", f["leaked"], "lost:", f["lost"])
            print(f["out"])
    if args.no_speed:
        return
    texts = [corpus.realistic(40_000, seed) for seed in range(50)]
    mod.redact(texts[0])  # warm the DFA caches, as a running bot has them
    for label, clock in (("wall", time.perf_counter), ("cpu", time.thread_time)):
        times = [timeit(mod.redact, t, repeat=1, clock=clock) * 1000 for t in texts]
        print(f"\n40,000 chars realistic, 50 texts, {label}: p50 {statistics.median(times):.2f} ms  max {max(times):.2f} ms")
    lines = [c["text"].split("\n")[0] for c in corpus.load()]
    per_line = timeit(lambda _: [mod.redact(x) for x in lines], "", repeat=5, clock=time.thread_time) / len(lines) * 1e6
    print(f"one corpus line (triage's case), cpu: {per_line:.0f} us")
    print(f"\n{'adversarial line (cpu)':22} {'100 KB':>9} {'1 MB':>9} {'ratio':>6}")
    for name, unit in ADVERSARIAL.items():
        small = (unit * (100_000 // len(unit) + 1))[:100_000]
        big = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
        ts, tb = timeit(mod.redact, small, 1, time.thread_time), timeit(mod.redact, big, 1, time.thread_time)
        print(f"{name:22} {ts * 1000:8.1f}ms {tb * 1000:8.1f}ms {tb / max(ts, 1e-6):6.1f}")


if __name__ == "__main__":
    main()
