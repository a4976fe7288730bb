"""Slack-facing benchmark (not a test): the real `chsm serve --http` process,
the fake Slack Web API from the tests, signed requests on loopback.

Measures ack latency (HTTP response to Slack) and reply latency (request to
chat.postMessage received) under 10 concurrent senders, and a burst of 50
concurrent mentions. Writes bench/out/slack.json.

    .venv/bin/python bench/slack.py [--per-sender 20]
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_slack import FakeSlack  # noqa: E402
from slack_harness import BotProcess  # noqa: E402

QUESTIONS = [
    "C_Login failed with error code: 0xa3",
    "how do I back up my cloud hsm to a storage account",
    "C_Initialize() failed with 00000005 (Failed to connect socket)",
    "which ports does the service listen on",
    "environment variable azcloudhsm_openssl_conf is not set",
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_senders(bot, fake, senders: int, per_sender: int, tag: str) -> dict:
    sent: dict[str, float] = {}
    acks: list[float] = []
    lock = threading.Lock()

    def sender(s: int):
        for i in range(per_sender):
            channel = f"C{tag}{s:02d}{i:03d}"
            ts = f"{1700000000 + s * 1000 + i}.000001"
            t0 = time.perf_counter()
            with lock:
                sent[channel] = time.time()
            r = bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> " + QUESTIONS[i % len(QUESTIONS)], "ts": ts, "channel": channel}, f"Ev{channel}")
            dt = time.perf_counter() - t0
            assert r.status_code == 200, r.status_code
            with lock:
                acks.append(dt * 1000)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(sender, range(senders)))
    total = senders * per_sender
    fake.wait(lambda: len([c for c in fake.api("chat.postMessage") if c["body"]["channel"].startswith(f"C{tag}")]) >= total, timeout=120)
    replies = [c for c in fake.api("chat.postMessage") if c["body"]["channel"].startswith(f"C{tag}")]
    reply_ms = [(c["at"] - sent[c["body"]["channel"]]) * 1000 for c in replies]
    return {
        "requests": total,
        "replies": len(replies),
        "duplicates": len(replies) - len({c["body"]["channel"] for c in replies}),
        "ack_p50_ms": round(pct(acks, 50), 1),
        "ack_p95_ms": round(pct(acks, 95), 1),
        "reply_p50_ms": round(pct(reply_ms, 50), 1),
        "reply_p95_ms": round(pct(reply_ms, 95), 1),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-sender", type=int, default=20)
    args = ap.parse_args()
    from bot.config import settings
    from bot.search import store

    cfg = settings()
    store.ensure(cfg.chsm_corpus_dir, cfg.chsm_index_dir)
    fake = FakeSlack()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, cfg.chsm_index_dir, Path(tmp) / "data", cfg.chsm_corpus_dir)
        try:
            run_senders(bot, fake, 2, 3, "warm")  # first requests pay for lazy imports
            res = {"ten_senders": run_senders(bot, fake, 10, args.per_sender, "ten")}
            burst = run_senders(bot, fake, 50, 1, "burst")
            res["fifty_concurrent_mentions"] = burst
            metrics = bot.http.get("/metrics").text
            res["errors_in_metrics"] = [line for line in metrics.splitlines() if line.startswith("chsm_errors_total")]
        finally:
            bot.stop()
            fake.close()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "slack.json").write_text(json.dumps(res, indent=2) + "\n")
    t, b = res["ten_senders"], res["fifty_concurrent_mentions"]
    print("| measure | result |\n| --- | --- |")
    print(f"| ack, 10 concurrent senders ({t['requests']} mentions) | p50 {t['ack_p50_ms']} ms, p95 {t['ack_p95_ms']} ms |")
    print(f"| reply, 10 concurrent senders | p50 {t['reply_p50_ms']} ms, p95 {t['reply_p95_ms']} ms |")
    print(f"| 50 concurrent mentions | {b['replies']} replies, {b['duplicates']} duplicates, errors: {res['errors_in_metrics'] or 'none'}; ack p95 {b['ack_p95_ms']} ms, reply p95 {b['reply_p95_ms']} ms |")


if __name__ == "__main__":
    main()
