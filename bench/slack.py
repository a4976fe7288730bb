"""Slack-facing benchmark (not a test): the real `chsm serve --http` process,
the fake Slack Web API from the tests, signed requests on loopback.

Measures ack latency (HTTP response to Slack) and reply latency (request to
chat.postMessage received) under 10 concurrent senders, and a burst of 50
concurrent mentions. Writes bench/out/slack.json.

    .venv/bin/python bench/slack.py [--per-sender 20]

`--hostile` runs the hostile and careless scenarios instead (a pathological
log line, files on other hosts, heavy DMs, a trickling download, SIGTERM
mid-triage, huge unsigned bodies, idle connections, malformed bodies, a gzip
bomb), each against a fresh bot, and writes bench/out/slack_hostile.json.
`--tree DIR --index DIR --corpus DIR` runs another version of the bot (a
`git archive` of an older commit, with an index that version built) for
before/after figures:

    .venv/bin/python bench/slack.py --hostile
    .venv/bin/python bench/slack.py --hostile --tree /tmp/old --index /tmp/old-idx --corpus /tmp/old/corpus --out before
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
    ap.add_argument("--hostile", action="store_true", help="the hostile-client scenarios instead of the load test")
    ap.add_argument("--tree", help="another source tree of the bot to run (PYTHONPATH)")
    ap.add_argument("--index", help="the index for --tree")
    ap.add_argument("--corpus", help="the corpus for --tree")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--out", default="after", help="a label for the output file")
    args = ap.parse_args()
    if args.tree:
        import os

        os.environ.update({"CHSM_TEST_BOT_PYTHONPATH": args.tree, "CHSM_TEST_BOT_INDEX_DIR": args.index, "CHSM_TEST_BOT_CORPUS_DIR": args.corpus})
    if args.hostile:
        res = run_all(args.only.split(",") if args.only else None)
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / f"slack_hostile_{args.out}.json").write_text(json.dumps(res, indent=2) + "\n")
        print(json.dumps(res, indent=2))
        return
    from bot.config import settings
    from bot.search import store

    cfg = settings()
    store.ensure(cfg.chsm_corpus_dir, cfg.chsm_index_dir)
    fake = FakeSlack()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, cfg.chsm_index_dir, Path(tmp) / "data", cfg.chsm_corpus_dir)
        try:
            bot.wait_log("worker ready", timeout=120)  # a worker loading its index competes for the CPU
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


# -- hostile and careless clients ---------------------------------------------------------
import signal  # noqa: E402
import socket  # noqa: E402

import httpx  # noqa: E402
from slack_harness import error_lines_gzip, file_share, gzip_bomb, long_line_log, sign  # noqa: E402

MENTION = "<@UBOT> C_Login failed with error code: 0xa3"
_seq = iter(range(1, 10**9))


def _id(prefix: str) -> str:
    return f"{prefix}{next(_seq):05d}"


def _paths():
    from bot.config import settings

    cfg = settings()
    return cfg.chsm_index_dir, cfg.chsm_corpus_dir


class Sampler:
    """Peak summed RSS of the bot's process tree, sampled every 50 ms."""

    def __init__(self, bot):
        self.bot, self.peak, self._stop = bot, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.bot.rss_mb())
            except Exception:  # noqa: BLE001 - the process may be gone
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join()


def _mention_reply_s(bot, fake, cap: float) -> tuple[float | None, float]:
    """(seconds to the reply or None past cap, seconds to the ack)."""
    ch = _id("C")
    t0 = time.perf_counter()
    try:
        bot.event({"type": "app_mention", "user": "U1", "text": MENTION, "ts": f"{time.time():.6f}", "channel": ch}, _id("Ev"))
    except httpx.TransportError:
        return None, cap
    ack = time.perf_counter() - t0
    got = fake.wait(lambda: fake.api("chat.postMessage", channel=ch), timeout=cap)
    return (round(time.perf_counter() - t0, 2) if got else None), round(ack, 3)


def _dm(bot, fake, name: str, data: bytes, **kw) -> str:
    dm = _id("D")
    bot.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": "", "ts": f"{time.time():.6f}", "channel": dm,
               "files": [file_share(fake, _id("f") + name, data, **kw)]}, _id("Ev"))
    return dm


def _bot(fake, tmp, **env):
    index, corpus = _paths()
    return BotProcess(fake, index, Path(tmp) / _id("data"), corpus, **env)


def s_long_line(fake, tmp):
    """A DM'd .log with one pathological line: the worst /healthz and mention-ack latency while it is triaged."""
    bot = _bot(fake, tmp)
    try:
        dm = _dm(bot, fake, "long.log", long_line_log(45))
        fake.wait(lambda: fake.api("chat.postMessage", channel=dm), timeout=30)
        worst_health = worst_ack = 0.0
        t_end = time.time() + 120
        while not fake.api("chat.update", channel=dm) and time.time() < t_end:
            t0 = time.perf_counter()
            try:
                bot.http.get("/healthz", timeout=60)
            except httpx.TransportError:
                pass
            worst_health = max(worst_health, time.perf_counter() - t0)
            _, ack = _mention_reply_s(bot, fake, 0.1)
            worst_ack = max(worst_ack, ack)
        return {"healthz_worst_s": round(worst_health, 2), "mention_ack_worst_s": round(worst_ack, 2), "replied": bool(fake.api("chat.update", channel=dm))}
    finally:
        bot.stop()


def s_token(fake, tmp):
    """Files pointing elsewhere: does the other host ever see the bot token?"""
    other = FakeSlack()
    bot = _bot(fake, tmp)
    try:
        direct = other.add_file("a.log", b"ERROR leaked\n", open_=True)
        redirected = fake.add_redirect("r.log", other.add_file("b.log", b"ERROR leaked via redirect\n", open_=True))
        for url, name in ((direct, "a.log"), (redirected, "r.log")):
            dm = _id("D")
            bot.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": "", "ts": f"{time.time():.6f}", "channel": dm,
                       "files": [{"id": "F1", "name": name, "mimetype": "text/plain", "size": 20, "url_private_download": url}]}, _id("Ev"))
            fake.wait(lambda dm=dm: fake.api("chat.update", channel=dm), timeout=60)
        tokens = [c["path"] for c in other.calls if c["auth"]]
        echoed = any("leaked" in json.dumps(c["body"]) for c in fake.api("chat.update"))
        return {"other_host_requests": len(other.calls), "other_host_saw_token": tokens, "echoed_other_host_content": echoed}
    finally:
        bot.stop()
        other.close()


def s_heavy_dms(fake, tmp, n: int = 10):
    """n DMs each with a small gzip of 200 MB of error lines, then a mention."""
    bot = _bot(fake, tmp, CHSM_DRAIN_SECONDS="3")
    try:
        heavy = error_lines_gzip(200)
        dms = [_dm(bot, fake, "heavy.log.gz", heavy) for _ in range(n)]
        time.sleep(1.0)
        reply, ack = _mention_reply_s(bot, fake, 150)
        try:
            health = bot.http.get("/healthz", timeout=10)
            health_s = health.status_code
            workers = health.json().get("workers")
        except httpx.TransportError:
            health_s, workers = None, None
        busy = sum(1 for dm in dms for c in fake.api("chat.postMessage", channel=dm) if "busy" in c["body"]["text"])
        return {"gzip_mb": round(len(heavy) / 1e6, 2), "dms": n, "mention_ack_s": ack, "mention_reply_s": reply, "healthz": health_s, "told_busy": busy, "workers": workers}
    finally:
        bot.stop(timeout=10)


def s_trickle(fake, tmp):
    """A file that trickles one byte every 10 s: time to a clear reply (defaults)."""
    bot = _bot(fake, tmp, CHSM_DRAIN_SECONDS="3")
    try:
        t0 = time.perf_counter()
        dm = _dm(bot, fake, "slow.log", b"ERROR x\n" * 10, trickle=10.0)
        got = fake.wait(lambda: fake.api("chat.update", channel=dm), timeout=150)
        text = got[0]["body"]["text"] if got else None
        return {"reply_s": round(time.perf_counter() - t0, 1) if got else None, "reply": text}
    finally:
        bot.stop(timeout=10)


def s_sigterm(fake, tmp):
    """SIGTERM while a DM's file is being fetched and triaged (about 5 s of work)."""
    bot = _bot(fake, tmp)
    dm = _dm(bot, fake, "app.log", b"INFO x\nC_Initialize() failed with 00000005 (Failed to connect socket)\n" + b"#" * 40, trickle=0.1)
    fake.wait(lambda: fake.api("chat.postMessage", channel=dm), timeout=30)
    t0 = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    try:
        code = bot.proc.wait(60)
    except Exception:  # noqa: BLE001
        code = None
    took = time.monotonic() - t0
    update = fake.api("chat.update", channel=dm)
    bot.stop()
    return {"exit_code": code, "exit_s": round(took, 2), "reply_arrived": bool(update and "C_Initialize" in update[0]["body"]["text"]),
            "progress_left": not update, "reaction_removed": bool(fake.api("reactions.remove", channel=dm))}


def s_edge(fake, tmp):
    bot = _bot(fake, tmp)
    out = {}
    try:
        def flood():
            try:
                with socket.create_connection(("127.0.0.1", bot.port), timeout=30) as sk:
                    sk.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n")
                    block = b"{" * (1024 * 1024)
                    for _ in range(200):
                        sk.sendall(block)
                    sk.settimeout(60)
                    sk.recv(100)
            except OSError:
                pass

        with Sampler(bot) as rss:
            floods = [threading.Thread(target=flood) for _ in range(4)]
            for t in floods:
                t.start()
            for t in floods:
                t.join(120)
            reply, ack = _mention_reply_s(bot, fake, 10)
        out["four_unsigned_200mb"] = {"peak_rss_mb": round(rss.peak), "next_event_ack_s": ack}
        socks = []
        try:
            for _ in range(520):
                socks.append(socket.create_connection(("127.0.0.1", bot.port), timeout=5))
            t0 = time.perf_counter()
            try:
                body = json.dumps({"type": "event_callback", "event_id": _id("Ev"), "event": {"type": "app_mention", "user": "U1", "text": MENTION, "ts": "1.1", "channel": _id("C")}}).encode()
                httpx.post(bot.url + "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body)}, timeout=30)  # a new connection, as Slack's
                ack = round(time.perf_counter() - t0, 2)
            except httpx.TransportError as exc:
                ack = f"{type(exc).__name__} after {time.perf_counter() - t0:.1f} s"
            out["520_idle_connections"] = {"valid_request_s": ack}
        finally:
            for sk in socks:
                sk.close()
        codes = {}
        for label, body, ctype, signed in (
            ("malformed JSON, signed", b'{"type": "event_callback", "event": ', "application/json", True),
            ("malformed JSON, unsigned", b'{"type": "event_callback", "event": ', "application/json", False),
            ("invalid UTF-8, signed", b"\xff\xfe{", "application/json", True),
            ("invalid UTF-8, unsigned", b"\xff\xfe{", "application/json", False),
            ("unknown event type, signed", json.dumps({"type": "event_callback", "event_id": "EvX", "event": {"type": "team_join"}}).encode(), "application/json", True),
        ):
            try:
                codes[label] = bot.http.post("/slack/events", content=body, headers={"Content-Type": ctype, **(sign(body) if signed else {})}).status_code
            except httpx.TransportError as exc:
                codes[label] = type(exc).__name__
        missing = {"type": "event_callback", "event_id": "EvMissing", "event": {"type": "app_mention", "text": ["<@UBOT>"]}}
        codes["event without channel/ts, text a list"] = bot.post(json.dumps(missing).encode(), "application/json").status_code
        time.sleep(1)
        codes["listener tracebacks in the log"] = bot.logs().count("Traceback")
        out["status_codes"] = codes
        return out
    finally:
        bot.stop()


def s_bomb(fake, tmp, **env):
    bot = _bot(fake, tmp, CHSM_MAX_FILE_BYTES=str(30 * 1024 * 1024), **env)
    try:
        bomb = gzip_bomb(2)
        time.sleep(5)  # workers loaded
        base = bot.rss_mb()
        with Sampler(bot) as rss:
            dm = _dm(bot, fake, "bomb.log.gz", bomb)
            got = fake.wait(lambda: fake.api("chat.update", channel=dm), timeout=180)
        return {"gzip_mb": round(len(bomb) / 1e6, 2), "rss_before_mb": round(base), "peak_rss_mb": round(rss.peak),
                "reply": got[0]["body"]["text"][:200] if got else None}
    finally:
        bot.stop()


def s_bomb_two_workers(fake, tmp):
    return s_bomb(fake, tmp, CHSM_WORKERS="2")


SCENARIOS = {"long_line": s_long_line, "token": s_token, "heavy_dms": s_heavy_dms, "trickle": s_trickle, "sigterm": s_sigterm, "edge": s_edge, "bomb": s_bomb,
             "bomb_two_workers": s_bomb_two_workers}


def run_all(only=None) -> dict:
    import tempfile

    res = {}
    for name, fn in SCENARIOS.items():
        if only and name not in only:
            continue
        fake = FakeSlack()
        t0 = time.time()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                res[name] = fn(fake, tmp)
        except Exception as exc:  # noqa: BLE001 - a scenario that breaks the bot is a result too
            res[name] = {"failed": f"{type(exc).__name__}: {str(exc)[:300]}"}
        finally:
            fake.close()
        res[name]["scenario_s"] = round(time.time() - t0, 1)
        print(name, json.dumps(res[name]), flush=True)
    return res


if __name__ == "__main__":
    main()
