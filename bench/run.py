"""Benchmarks for the answer engine (not a test): warm latency on both paths,
cold `chsm ask`, index build, triage throughput, peak RSS. Prints a Markdown
table for the README and writes bench/out/engine.json.

    .venv/bin/python bench/run.py [--log-mb 100]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_log import generate  # noqa: E402

CHSM = str(Path(sys.executable).with_name("chsm"))
RULE_QUERIES = [
    "C_Login failed with error code: 0xa3",
    "C_Initialize() failed with 00000005 (Failed to connect socket)",
    "HSM Error: RET_USER_LOGIN_FAILURE",
    "environment variable azcloudhsm_openssl_conf is not set",
]
SEMANTIC_QUERIES = [
    "how do I back up my cloud hsm to a storage account",
    "which ports does the service listen on",
    "can I use signtool to sign with keys in the HSM",
    "the client daemon is not running and my app fails at init",
]

# Runs a command and prints its wall time and the peak RSS of it alone.
_MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
    "print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def measure(*cmd: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True).stdout
    rc, secs, kb = out.split()
    if rc != "0":
        raise SystemExit(f"{' '.join(cmd)} exited {rc}")
    return float(secs), int(kb) / 1024


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def warm_latency(engine, queries: list[str], rounds: int) -> dict:
    for q in queries:
        engine.ask(q)
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            engine.ask(q)
            times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(pct(times, 50), 2), "p95_ms": round(pct(times, 95), 2), "n": len(times)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log-mb", type=float, default=100)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        index = tmp / "index"
        secs, rss = measure(CHSM, "--index", str(index), "index", "build")
        res["index_build"] = {"seconds": round(secs, 1), "peak_rss_mb": round(rss)}

        colds, rss_ask = [], 0.0
        for _ in range(3):
            secs, rss_ask = measure(CHSM, "--index", str(index), "ask", "--json", "how do I back up my cloud hsm to a storage account")
            colds.append(secs)
        res["cold_ask_semantic"] = {"median_s": round(statistics.median(colds), 2), "peak_rss_mb": round(rss_ask)}

        from bot.config import settings
        from bot.search.engine import Engine
        from bot.triage import open_log, scan, log_chunks

        engine = Engine.open(settings().chsm_corpus_dir, index)
        res["warm_rule_hit"] = warm_latency(engine, RULE_QUERIES, args.rounds)
        res["warm_semantic"] = warm_latency(engine, SEMANTIC_QUERIES, args.rounds)

        log = tmp / "big.log"
        lines = generate(str(log), args.log_mb)
        size_mb = log.stat().st_size / 1e6
        stream, _ = open_log(log)
        t = time.perf_counter()
        with stream:
            scan(log_chunks(stream, "big.log"))
        scan_s = time.perf_counter() - t
        secs, rss_tri = measure(CHSM, "--index", str(index), "triage", "--json", str(log))
        res["triage"] = {
            "log_mb": round(size_mb, 1),
            "lines": lines,
            "scan_mb_per_s": round(size_mb / scan_s, 1),
            "cli_end_to_end_s": round(secs, 2),
            "cli_mb_per_s": round(size_mb / secs, 1),
            "peak_rss_mb": round(rss_tri),
        }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "engine.json").write_text(json.dumps(res, indent=2) + "\n")
    r = res
    print("| measure | result |\n| --- | --- |")
    print(f"| warm query, rule hit | p50 {r['warm_rule_hit']['p50_ms']} ms, p95 {r['warm_rule_hit']['p95_ms']} ms |")
    print(f"| warm query, semantic path | p50 {r['warm_semantic']['p50_ms']} ms, p95 {r['warm_semantic']['p95_ms']} ms |")
    print(f"| cold `chsm ask` (no rule matches) | {r['cold_ask_semantic']['median_s']} s, peak RSS {r['cold_ask_semantic']['peak_rss_mb']} MB |")
    print(f"| `chsm index build` | {r['index_build']['seconds']} s, peak RSS {r['index_build']['peak_rss_mb']} MB |")
    t = r["triage"]
    print(f"| triage scan, {t['log_mb']} MB log, 1% errors | {t['scan_mb_per_s']} MB/s |")
    print(f"| `chsm triage` end to end (incl. start-up) | {t['cli_end_to_end_s']} s = {t['cli_mb_per_s']} MB/s, peak RSS {t['peak_rss_mb']} MB |")


if __name__ == "__main__":
    main()
