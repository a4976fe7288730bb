"""Triage throughput and precision on a generated log (not a test).

A `--mb` log (default 50) with 1% error lines of five kinds: three this
product's problems, two unknown ones whose numbers vary on every line. The
bar: exactly the three findings, the unknown errors in at most 4 unmatched
templates, >= 120 MB/s after start-up, peak RSS <= 800 MB.

    .venv/bin/python bench/triage.py [--mb 50]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_log import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

KINDS = [
    "C_Login failed with error code: 0xa3",
    "C_Initialize() failed with 00000005 (Failed to connect socket)",
    "environment variable azcloudhsm_openssl_conf is not set",
    "ERROR worker {n} lost connection to upstream after {n}ms",
    "ERROR disk quota exceeded on /var/lib/app/{n}: used {m}KB of {k}KB",
]

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from bot.config import settings
from bot.search.engine import Engine
from bot.triage import triage
cfg = settings()
t0 = time.perf_counter()
engine = Engine.open(cfg.chsm_corpus_dir, cfg.chsm_index_dir)
t1 = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    r = triage(engine, [(sys.argv[1], f)])
t2 = time.perf_counter()
print(json.dumps({"startup_s": t1 - t0, "triage_s": t2 - t1, "findings": [f.answer.title for f in r.findings],
                  "counts": [f.count for f in r.findings], "unmatched": [[u.count, u.text[:90]] for u in r.unmatched],
                  "lines": r.lines, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "bench.log"
        generate(str(log), args.mb, seed=11, errors=KINDS)
        size = log.stat().st_size
        out = subprocess.run([sys.executable, "-c", _CHILD, str(log)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            sys.exit(out.stderr[-2000:])
        r = json.loads(out.stdout)
    r["mb"] = round(size / 1e6, 1)
    r["mb_per_s"] = round(size / 1e6 / r["triage_s"], 1)
    print(json.dumps(r, indent=2))
    ok = len(r["findings"]) == 3 and len(r["unmatched"]) <= 4 and r["mb_per_s"] >= 120 and r["peak_rss_mb"] <= 800
    print("bar met" if ok else "BAR MISSED")


if __name__ == "__main__":
    main()
