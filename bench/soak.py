"""Soak and load on loopback (not a test): N real `chsm serve --http` replicas,
each on its own port and its own CHSM_DATA_DIR, sharing one redis-server
(CHSM_REDIS_URL) and one fake Slack Web API (tests/fake_slack.py), fed mixed,
signed traffic (tests/slack_harness.py) at a fixed rate for a fixed time.

Traffic: app_mention questions (known errors, how-to questions, out-of-scope
questions, pasted multi-line logs, a pasted secret), DMs (text, pasted logs,
a few with a small .log file), `/chsm` commands (and `/chsm help`), thread
follow-ups in threads the bot answered, and the bot's own messages echoed
back (must be ignored), from --users (400) people in --channels (40)
channels, well inside the bot's rate limits. Every event has a unique
event_id; a share of events (`--dup-share`, 10%) is delivered to two
replicas, as a load balancer plus a Slack retry would (the copy with X-Slack-Retry-Num: 1 and
X-Slack-Retry-Reason: http_timeout), at once or up to 2 s later; another
share (`--same-share`, 3%) is retried on the same replica.

Measured: ack latency (request to HTTP response), reply latency (send to the
matching chat.postMessage / chat.update / response_url post at the fake,
matched by channel + thread_ts, the DM's channel, or the response_url's
token), errors (non-200 acks, transport errors, events acked and never
replied to within --reply-timeout, replies that are failure notices),
duplicates (more replies than events in a thread or response_url), the RSS
(VmRSS) of each replica's process and of its process tree after warm-up and
at the end (and sampled along the way, for the trend), /healthz, rate-limit
notes, warnings, errors and tracebacks in the replica logs.

Scenarios (`--scenario`):
- steady (default): the load, N replicas, shared redis.
- sighup: SIGHUP to each replica every --sighup-every s (20), staggered:
  0 failed requests expected and every replica alive at the end.
- stop-replica: SIGTERM to replica 0 half way; the sender keeps sending to it
  until it refuses (connection refused, 503, dropped connection) and then
  routes to the survivors (the refused request re-sent to a survivor, as a
  load balancer / Slack retry would). Every acked event gets exactly one
  reply; the stopped replica exits 0.
- redis-down: redis-server stopped at 40% of the run: replies go on, and each
  replica's /healthz JSON says "degraded" somewhere. Replicas cannot share
  what they saw meanwhile, so copies answered by two replicas and follow-ups
  unanswered during the outage are reported apart, outside the bars.
- single: one replica, no redis (the embedded default), for comparison.
- dedupe: --events (500) events, each delivered to two replicas at once
  (the second copy as a Slack retry): 0 duplicate replies expected.

Bounded: at most --max-events events (20000) and --max-wall seconds of wall
time in all (default --seconds + 600), after which everything is killed.
Every process it started is stopped on exit, Ctrl-C and SIGTERM included.

    .venv/bin/python bench/soak.py --seconds 30                    # steady, short
    .venv/bin/python bench/soak.py --scenario dedupe               # 500 events to both replicas
    .venv/bin/python bench/soak.py --scenario sighup --seconds 60
    .venv/bin/python bench/soak.py --scenario stop-replica --seconds 60
    .venv/bin/python bench/soak.py --scenario redis-down --seconds 60
    .venv/bin/python bench/soak.py --scenario single --seconds 60
    .venv/bin/python bench/soak.py                                 # the 10-minute soak

Prints the report as JSON, then a table with PASS/FAIL against the bars (0
errors, 0 duplicates, ack p99 < 300 ms, reply p95 < 2 s, RSS growth < 10%,
and the scenario's own checks); writes bench/out/soak-<scenario>-<time>.json
and .txt; exit code 0 if every bar passes, 1 if not, 3 if the wall-time cap
was hit. `--tree DIR --index DIR --corpus DIR` runs another version of the
bot (a `git archive` of an older commit) for before/after figures, as
bench/slack.py does. `--keep-logs` saves each replica's log next to the
report.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# Imports come from the project and tests/; bench helpers are loaded by path
# below (bench/ is not a package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import httpx  # noqa: E402

from fake_slack import FakeSlack  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from slack_harness import ERROR_KINDS, BotProcess, file_share  # noqa: E402


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_slack_bench = _bench_module("slack")
pct = _slack_bench.pct

BARS = {"ack_p99_ms": 300, "reply_p95_ms": 2000, "rss_growth_pct": 10}

# -- what users send ---------------------------------------------------------------------
KNOWN_ERRORS = [*ERROR_KINDS[:3], "environment variable azcloudhsm_openssl_conf is not set"]
HOWTO = [q for q in _slack_bench.QUESTIONS if q not in KNOWN_ERRORS] + [
    "can I use signtool to sign with keys in the HSM",
    "the client daemon is not running and my app fails at init",
    "how do I add a crypto user and give them access to a key",
    "what happens to my keys if a node of the cluster fails?",
]
OUT_OF_SCOPE = [
    "how do I create a key in AWS CloudHSM with key_mgmt_util",
    "is Azure Key Vault Managed HSM cheaper than premium key vault",
    "how do I provision a Dedicated HSM in a VNet",
    "what is the best sourdough starter ratio",
    "my kubernetes ingress returns 502 after upgrade",
]
SECRET_MARK = "S0akSecret"
WITH_SECRET = [
    f"C_Login failed with error code: 0xa3 when I run azcloudhsm_util loginHSM -u CU -s cu1 -p {SECRET_MARK}-1",
    f"my pin is cu1:{SECRET_MARK}-2 and C_Login fails with 0xa3, why?",
]
FOLLOWUPS = [
    "still failing after that, any idea?",
    "does that also apply to the Windows client?",
    "thanks! and if I get 0xa3 again after a reboot?",
    "which log should I look at next?",
]
INFO_LINES = ["INFO azcloudhsm_client starting", "INFO connected to hsm1.example.internal:2225", "INFO session opened", "DEBUG heartbeat ok",
              "INFO retrying in 5s", "WARN slow response from partition p1"]


def pasted_log(rng: random.Random, lines: int | None = None) -> str:
    n = lines or rng.randint(4, 12)
    out = []
    for i in range(n):
        stamp = f"2026-11-27 10:{rng.randint(0, 59):02d}:{i % 60:02d}"
        host = f"app{rng.randint(1, 3)}"
        if rng.random() < 0.3 or i == n // 2:
            line = f"{stamp} {host} ERROR {rng.choice(ERROR_KINDS)}"
        else:
            line = f"{stamp} {host} {rng.choice(INFO_LINES)}"
        out.append(line)
    if rng.random() < 0.1:
        out.insert(1, f"2026-11-27 10:00:00 app1 ERROR login failed password={SECRET_MARK}-3")
    return "\n".join(out)


def channel_text(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return rng.choice(KNOWN_ERRORS)
    if r < 0.62:
        return rng.choice(HOWTO)
    if r < 0.77:
        return rng.choice(OUT_OF_SCOPE)
    if r < 0.95:
        return pasted_log(rng)
    return rng.choice(WITH_SECRET)


MIX = {  # kind: weight
    "steady": {"mention": 45, "dm": 15, "dm_file": 2, "slash": 13, "slash_help": 2, "followup": 16, "echo": 5},
    "dedupe": {"mention": 60, "dm": 18, "dm_file": 2, "followup": 15, "echo": 5},  # events only: commands have no event_id
}


# -- bookkeeping -------------------------------------------------------------------------
@dataclass
class Ev:
    seq: int
    kind: str
    key: tuple  # where its reply lands at the fake
    expects: bool  # a reply at the fake is expected
    text: str
    event: dict | None = None
    event_id: str | None = None
    channel: str = ""
    user: str = ""
    response_url: str = ""
    warm: bool = False
    copy: str = ""  # "", "cross" (another replica) or "same"
    sent_at: float | None = None  # wall time of the first send
    last_sent_at: float | None = None  # and of the last (a delayed retry)
    delivered: bool = False  # some copy got a 200
    reached: bool = False  # some copy may have reached a replica (timeouts)
    failed: bool = False  # a copy failed (error)
    reply_at: float | None = None
    reply_text: str = ""

    def latency_ms(self) -> float | None:
        return None if self.reply_at is None or self.sent_at is None else (self.reply_at - self.sent_at) * 1000


@dataclass
class Replica:
    idx: int
    bot: BotProcess
    routable: bool = True
    stopping: bool = False  # we stopped it on purpose
    term_sent: bool = False  # one SIGTERM, as an orchestrator sends (a second one may land in interpreter shutdown)
    exit_code: int | None = None
    exited_at: float | None = None
    unexpected_exit: bool = False
    rss_start: dict = field(default_factory=dict)
    rss_end: dict = field(default_factory=dict)
    health: dict = field(default_factory=lambda: {"polls": 0, "non_200": 0, "errors": 0, "max_ms": 0.0, "degraded_seen": False, "degraded_body": None})
    rss_samples: list = field(default_factory=list)  # [seconds into the load, main MB, tree MB]


def vmrss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss(rep: Replica) -> dict:
    main = vmrss_mb(rep.bot.proc.pid)
    return {"main_mb": round(main, 1) if main is not None else None, "tree_mb": round(rep.bot.rss_mb(), 1), "processes": len(rep.bot.pids())}


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(pct(values, 50), 1), "p95": round(pct(values, 95), 1), "p99": round(pct(values, 99), 1), "max": round(max(values), 1)}


# -- processes we start, and their end ------------------------------------------------------
class Procs:
    """Everything this run started; `cleanup` ends all of it, once."""

    def __init__(self):
        self.replicas: list[Replica] = []
        self.redis: RedisServer | None = None
        self.fake: FakeSlack | None = None
        self._done = False
        self.closing = False
        self._lock = threading.Lock()

    def cleanup(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
            self.closing = True
        for rep in self.replicas:
            terminate(rep)
        for rep in self.replicas:
            try:
                rep.bot.proc.wait(40)  # its drain is at most 30 s
            except subprocess.TimeoutExpired:
                pass
            code = rep.bot.stop(timeout=5)  # exited: no second signal; else killed
            if rep.exit_code is None and not rep.unexpected_exit:
                rep.exit_code = code
        redis = self.redis.proc if self.redis is not None else None
        if redis is not None and redis.poll() is None:
            redis.terminate()
            try:
                redis.wait(10)
            except subprocess.TimeoutExpired:
                redis.kill()
                redis.wait()
        if self.fake is not None:
            self.fake.close()
        # A replica half-started when we were interrupted is not in the list yet:
        # our own direct children (only processes this run started) are ended too.
        for pid in own_children():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                continue
        end = time.time() + 10
        while own_children() and time.time() < end:
            time.sleep(0.2)
        for pid in own_children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def terminate(rep: Replica) -> None:
    if not rep.term_sent and rep.bot.proc.poll() is None:
        rep.term_sent = True
        rep.bot.proc.terminate()


def own_children() -> list[int]:
    out = []
    for task in Path("/proc/self/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    alive = []
    for pid in out:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            continue
        alive.append(pid)
    return alive


# -- the run -------------------------------------------------------------------------------
class Soak:
    def __init__(self, args, procs: Procs, tmp: Path):
        self.args, self.procs, self.tmp = args, procs, tmp
        self.rng = random.Random(args.seed)
        self.run_id = uuid.uuid4().hex[:6]
        self.lock = threading.Lock()
        self.events: list[Ev] = []
        self.by_key: dict[tuple, list[Ev]] = defaultdict(list)
        self.replies: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
        self.progress: Counter = Counter()  # "Triaging…" messages per file-DM channel
        self.file_channels: set[str] = set()
        self.threads: list[tuple] = []  # answered-thread candidates for follow-ups: (key, channel, thread_ts)
        self.acks: list[dict] = []
        self.stray: list[dict] = []
        self.notes: Counter = Counter()  # chat.postEphemeral texts (rate limits, "not here")
        self.seq = 0
        self.rr = 0
        self.fake_seen = 0
        self.sendq: queue.Queue = queue.Queue()
        self.inflight = 0
        self.stop_sending = threading.Event()
        self.finished = threading.Event()
        self.timeline: list[dict] = []
        self.redis_down_at: float | None = None
        self.sched_lag_max = 0.0
        self.rerouted = 0
        self.t0 = 0.0
        self.t_start = time.time()

    @property
    def fake(self) -> FakeSlack:
        return self.procs.fake

    @property
    def replicas(self) -> list[Replica]:
        return self.procs.replicas

    def note(self, what: str, **kw) -> None:
        rec = {"t": round(time.time() - (self.t0 or self.t_start), 1), "phase": "load" if self.t0 else "setup", "what": what, **kw}
        self.timeline.append(rec)
        print(f"[soak] {rec}", file=sys.stderr, flush=True)

    # -- replicas ---------------------------------------------------------------
    def start(self) -> None:
        a = self.args
        from bot.config import settings
        from bot.search import store

        cfg = settings()
        index, corpus = Path(a.index or cfg.chsm_index_dir), Path(a.corpus or cfg.chsm_corpus_dir)
        if not a.tree:
            store.ensure(corpus, index)
        self.procs.fake = FakeSlack()
        env = {}
        if a.redis:
            if not shutil.which("redis-server"):
                raise RuntimeError("redis-server is not installed (apt-get install redis-server); --scenario single runs without it")
            self.procs.redis = RedisServer()
            self.procs.redis.start()
            env["CHSM_REDIS_URL"] = self.procs.redis.url
            self.note("redis started", url=self.procs.redis.url)
        if a.workers:
            env["CHSM_WORKERS"] = str(a.workers)
        errors: list[BaseException] = []
        slots: list[Replica | None] = [None] * a.replicas

        def one(i: int) -> None:
            try:
                bot = BotProcess(self.fake, index, self.tmp / f"data{i}", corpus, **env)
                slots[i] = Replica(i, bot)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(a.replicas)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.procs.replicas = [r for r in slots if r is not None]
        if errors:
            raise RuntimeError(f"a replica did not start: {errors[0]}")
        for rep in self.replicas:
            if not rep.bot.wait_log("worker ready", timeout=180):
                raise RuntimeError(f"replica {rep.idx}: no worker ready in 180 s")
        self.note("replicas ready", ports=[r.bot.port for r in self.replicas], pids=[r.bot.proc.pid for r in self.replicas])

    # -- events -----------------------------------------------------------------
    def _next(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def _ts(self, seq: int) -> str:
        return f"{int(time.time())}.{seq:06d}"

    def make(self, kind: str, *, warm: bool = False, text: str | None = None) -> Ev:
        rng, seq = self.rng, self._next()
        ts = self._ts(seq)
        eid = f"Ev{self.run_id}{seq:07d}"
        # A team's worth of people and channels: well inside the bot's rate limits
        # (CHSM_USER_PER_MINUTE 30, CHSM_CHANNEL_PER_MINUTE 120) at 20 events/s.
        user = f"U{rng.randint(1, self.args.users):04d}"
        if kind in ("followup", "echo"):
            parent = self._answered_thread()
            if parent is None:
                kind = "mention"
            else:
                key, channel, thread_ts = parent
                if kind == "followup":
                    msg = text or rng.choice(FOLLOWUPS)
                    event = {"type": "message", "channel_type": "channel", "user": user, "text": msg, "ts": ts, "thread_ts": thread_ts, "channel": channel}
                    ev = Ev(seq, kind, key, True, msg, event, eid, channel)
                else:  # the bot's own reply, as Slack echoes it: never answered
                    msg = "C_Login failed: see the fix above"
                    event = {"type": "message", "subtype": "bot_message", "channel_type": "channel", "user": "UBOT", "bot_id": "BBOT", "text": msg,
                             "ts": ts, "thread_ts": thread_ts, "channel": channel}
                    ev = Ev(seq, kind, key, False, msg, event, eid, channel)
                return self._register(ev, warm)
        if kind == "mention":
            channel = f"C0SOAK{rng.randint(1, self.args.channels):03d}"
            msg = text or channel_text(rng)
            event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {msg}", "ts": ts, "channel": channel}
            ev = Ev(seq, kind, ("t", channel, ts), True, msg, event, eid, channel)
        elif kind == "dm":
            channel = f"D0SOAK{user}"
            r = rng.random()
            msg = text or (pasted_log(rng) if r < 0.3 else rng.choice(KNOWN_ERRORS) if r < 0.65 else rng.choice(HOWTO))
            event = {"type": "message", "channel_type": "im", "user": user, "text": msg, "ts": ts, "channel": channel}
            ev = Ev(seq, kind, ("t", channel, ts), True, msg, event, eid, channel)
        elif kind == "dm_file":
            channel = f"D0SOAKF{self.run_id}{seq:07d}"  # one channel per file DM: its reply is a chat.update there
            data = (pasted_log(rng, 40) + "\n").encode()
            with self.lock:
                self.file_channels.add(channel)
            event = {"type": "message", "subtype": "file_share", "channel_type": "im", "user": user, "text": "", "ts": ts, "channel": channel,
                     "files": [file_share(self.fake, f"soak{self.run_id}{seq}.log", data)]}
            ev = Ev(seq, kind, ("f", channel), True, "", event, eid, channel)
        elif kind in ("slash", "slash_help"):
            token = f"{self.run_id}{seq:07d}"
            msg = "help" if kind == "slash_help" else text or rng.choice([*KNOWN_ERRORS, *HOWTO, *OUT_OF_SCOPE])
            ev = Ev(seq, kind, ("r", token), kind == "slash", msg, user=user, channel=f"C0SOAK{rng.randint(1, self.args.channels):03d}", response_url=f"{self.fake.url}/respond/{token}")
        else:
            raise ValueError(kind)
        return self._register(ev, warm)

    def _register(self, ev: Ev, warm: bool) -> Ev:
        ev.warm = warm
        with self.lock:
            self.events.append(ev)
            self.by_key[ev.key].append(ev)
        return ev

    def _answered_thread(self):
        """A recent channel thread whose every event got its reply (so the
        replies in it stay attributable): the parent of a follow-up."""
        with self.lock:
            recent = self.threads[-300:]
            for _ in range(20):
                if not recent:
                    return None
                cand = self.rng.choice(recent)
                key = cand[0]
                expecting = sum(1 for e in self.by_key[key] if e.expects)
                if len(self.replies.get(key, ())) >= expecting:
                    return cand
        return None

    # -- the fake's calls, as they come -------------------------------------------
    def collect(self) -> None:
        with self.fake.lock:
            new = self.fake.calls[self.fake_seen:]
            self.fake_seen += len(new)
        for c in new:
            path, body = c["path"], c["body"] if isinstance(c["body"], dict) else {}
            raw = body.get("text")
            text = raw if isinstance(raw, str) else ""
            blob = json.dumps(body, default=str)
            leak = SECRET_MARK in blob
            key: tuple[str, ...]
            with self.lock:
                if path == "/api/chat.postMessage":
                    channel = body.get("channel")
                    if channel in self.file_channels:
                        if text.startswith("Triaging"):
                            self.progress[("f", channel)] += 1
                            continue
                        key = ("f", channel)
                    else:
                        key = ("t", str(channel), str(body.get("thread_ts")))
                elif path == "/api/chat.update" and body.get("channel") in self.file_channels:
                    key = ("f", str(body.get("channel")))
                elif path.startswith("/respond/"):
                    key = ("r", path.split("/")[2])
                elif path == "/api/chat.postEphemeral":
                    self.notes[text[:80]] += 1
                    continue
                else:
                    continue
                if key not in self.by_key:
                    self.stray.append({"path": path, "key": list(map(str, key)), "text": text[:80]})
                    continue
                self.replies[key].append((c["at"], text + (" <<SECRET LEAKED>>" if leak else "")))
                if key[0] == "t" and str(key[1]).startswith("C") and len(self.replies[key]) == 1:
                    self.threads.append((key, key[1], key[2]))

    # -- sending ----------------------------------------------------------------
    def route(self, avoid: Replica | None = None) -> Replica | None:
        with self.lock:
            live = [r for r in self.replicas if r.routable and r is not avoid]
            if not live:
                return None
            self.rr += 1
            return live[self.rr % len(live)]

    def deliver(self, ev: Ev, rep: Replica, retry: int = 0, barrier: threading.Barrier | None = None, delay: float = 0.0, hops: int = 0) -> None:
        if delay:
            time.sleep(delay)
        if barrier is not None:
            try:
                barrier.wait(2)
            except threading.BrokenBarrierError:
                pass
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        wall, t = time.time(), time.perf_counter()
        with self.lock:
            if ev.sent_at is None or wall < ev.sent_at:
                ev.sent_at = wall
            ev.last_sent_at = max(ev.last_sent_at or 0.0, wall)
        rec = {"seq": ev.seq, "kind": ev.kind, "replica": rep.idx, "retry": retry, "warm": ev.warm, "at": wall}
        refused = False
        try:
            if ev.event is not None:
                r = rep.bot.event(ev.event, ev.event_id, headers)
            else:
                r = rep.bot.command(ev.text, ev.response_url, channel=ev.channel, user=ev.user)
            rec.update(status=r.status_code, ms=(time.perf_counter() - t) * 1000)
            if r.status_code == 200:
                if ev.kind == "slash_help" and "help" not in r.text.lower():
                    rec["error"] = "help missing from the ack"
                elif ev.kind == "slash" and r.content.strip():  # the answer comes later: text in the ack is a rate-limit note
                    rec["ack_note"] = r.text[:120]
            elif rep.stopping and r.status_code == 503:
                refused = True
            else:
                rec["error"] = f"HTTP {r.status_code}"
        except httpx.TransportError as exc:
            rec.update(ms=(time.perf_counter() - t) * 1000, error=type(exc).__name__)
            connect = isinstance(exc, httpx.ConnectError)
            dropped = isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError))
            if rep.stopping and (connect or dropped):
                refused = True
                rec["refused_as"] = rec.pop("error")
            if not connect:
                with self.lock:
                    ev.reached = True
            if rep.bot.proc.poll() is not None:
                with self.lock:
                    rep.routable = False
        if refused:  # the stopped replica says no: the balancer sends it to a survivor
            rec["refused"] = True
            with self.lock:
                rep.routable = False
                self.rerouted += 1
            other = self.route(avoid=rep)
            if other is not None and hops < 3:
                with self.lock:
                    self.acks.append(rec)
                # Refused at connect: the balancer resends the same request. A 503 or a
                # dropped connection: Slack's retry, with the next X-Slack-Retry-Num.
                again = retry if rec.get("refused_as") == "ConnectError" else retry + 1
                return self.deliver(ev, other, retry=again, hops=hops + 1)
            rec["error"] = "no replica left"
        with self.lock:
            self.acks.append(rec)
            if rec.get("status") == 200 and "error" not in rec:
                ev.delivered = True
            if "error" in rec:
                ev.failed = True

    def _sender(self) -> None:
        while True:
            job = self.sendq.get()
            try:
                self.deliver(*job[0], **job[1])
            except Exception as exc:  # noqa: BLE001 - a bug here must not stop the run
                if not self.procs.closing:
                    self.note("sender failed", error=repr(exc)[:200])
            finally:
                with self.lock:
                    self.inflight -= 1

    def submit(self, ev: Ev, rep: Replica, **kw) -> None:
        with self.lock:
            self.inflight += 1
        self.sendq.put(((ev, rep), kw))

    def send(self, ev: Ev, *, dedupe_all: bool = False) -> None:
        """The event to one replica; some to a second one too (or again to the same)."""
        primary = self.route()
        if primary is None:
            with self.lock:
                ev.failed = True
                self.acks.append({"seq": ev.seq, "kind": ev.kind, "replica": None, "retry": 0, "warm": ev.warm, "error": "no replica left", "at": time.time()})
            return
        if ev.event_id is None or ev.warm:  # commands are never retried by Slack
            return self.submit(ev, primary)
        r = self.rng.random()
        cross = dedupe_all or r < self.args.dup_share
        same = not cross and r < self.args.dup_share + self.args.same_share
        if not (cross or same):
            return self.submit(ev, primary)
        second = (self.route(avoid=primary) if cross else None) or primary
        ev.copy = "cross" if second is not primary else "same"
        if dedupe_all or self.rng.random() < 0.5:  # both at once: the race
            barrier = threading.Barrier(2)
            self.submit(ev, primary, barrier=barrier)
            self.submit(ev, second, retry=1, barrier=barrier)
        else:  # the retry a little later, as after a slow ack
            self.submit(ev, primary)
            self.submit(ev, second, retry=1, delay=self.rng.uniform(0.2, 2.0))

    # -- scenario actions ---------------------------------------------------------
    def watch(self) -> None:
        """Collects the fake's calls, notices replicas that exit, polls /healthz."""
        clients = {r.idx: httpx.Client(base_url=r.bot.url, timeout=5) for r in self.replicas}
        next_health = next_rss = 0.0
        while not self.finished.is_set() and not self.procs.closing:
            self.collect()
            for rep in self.replicas:
                code = rep.bot.proc.poll()
                if code is not None and rep.exited_at is None:
                    rep.exit_code, rep.exited_at = code, time.time()
                    with self.lock:
                        rep.routable = False
                    rep.unexpected_exit = not rep.stopping
                    self.note("replica exited", replica=rep.idx, code=code, expected=rep.stopping)
            now = time.time()
            if self.t0 and now >= next_rss:  # the trend, not only two points
                next_rss = now + max(5.0, self.args.seconds / 60)
                for rep in self.replicas:
                    if rep.bot.proc.poll() is None:
                        m = vmrss_mb(rep.bot.proc.pid)
                        rep.rss_samples.append([round(now - self.t0, 1), round(m or 0, 1), round(rep.bot.rss_mb(), 1)])
            if now >= next_health:
                every = 2.0 if self.redis_down_at else 5.0
                next_health = now + every
                for rep in self.replicas:
                    if rep.exited_at is not None:
                        continue
                    h, t = rep.health, time.perf_counter()
                    try:
                        resp = clients[rep.idx].get("/healthz")
                        h["polls"] += 1
                        h["max_ms"] = round(max(h["max_ms"], (time.perf_counter() - t) * 1000), 1)
                        h["non_200"] += resp.status_code != 200
                        h["last"] = {"status": resp.status_code, "body": resp.text[:400]}
                        if self.redis_down_at and "degraded" in resp.text and not h["degraded_seen"]:
                            h["degraded_seen"] = True
                            h["degraded_after_s"] = round(now - self.redis_down_at, 1)
                            h["degraded_body"] = resp.text[:600]
                    except httpx.TransportError as exc:
                        if not rep.stopping:
                            h["errors"] += 1
                            h["last"] = {"error": type(exc).__name__}
            time.sleep(0.05)
        self.collect()
        for c in clients.values():
            c.close()

    def actions(self) -> None:
        a, sc = self.args, self.args.scenario
        if sc == "sighup":
            n = len(self.replicas)
            step = a.sighup_every / n  # each replica every sighup_every s, staggered
            k = 0
            while True:
                due = self.t0 + step * (k + 1)
                if self.stop_sending.wait(max(0.0, due - time.time())):
                    return
                rep = self.replicas[k % n]
                if rep.bot.proc.poll() is None:
                    os.kill(rep.bot.proc.pid, signal.SIGHUP)
                    self.note("SIGHUP", replica=rep.idx)
                k += 1
        elif sc == "stop-replica":
            if not self.stop_sending.wait(a.seconds * 0.5):
                rep = self.replicas[0]
                rep.stopping = True
                terminate(rep)
                self.note("SIGTERM", replica=rep.idx)
        elif sc == "redis-down":
            if not self.stop_sending.wait(a.seconds * 0.4) and self.procs.redis is not None:
                self.procs.redis.stop()
                self.redis_down_at = time.time()
                self.note("redis stopped")

    # -- phases -----------------------------------------------------------------
    def warm_up(self) -> None:
        """Every path once on each replica (lazy imports, the worker's first
        job), before the clock and the RSS baseline start."""
        evs = []
        for rep in self.replicas:
            for kind, text in (("mention", KNOWN_ERRORS[0]), ("mention", HOWTO[0]), ("mention", pasted_log(self.rng, 6)), ("dm", KNOWN_ERRORS[1]),
                               ("slash", HOWTO[1]), ("dm_file", None)):
                ev = self.make(kind, warm=True, text=text)
                evs.append(ev)
                self.submit(ev, rep)
        end = time.time() + 120
        while time.time() < end:
            with self.lock:
                if all(len(self.replies.get(e.key, ())) >= 1 for e in evs):
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("warm-up: not every warm-up event got a reply in 120 s")
        time.sleep(1.0)

    def run(self) -> dict:
        a = self.args
        for _ in range(a.senders):
            threading.Thread(target=self._sender, daemon=True).start()
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        self.warm_up()
        for rep in self.replicas:
            rep.rss_start = rss(rep)
        mix = MIX["dedupe" if a.scenario == "dedupe" else "steady"]
        kinds, weights = list(mix), list(mix.values())
        self.t0 = time.time()
        self.note("load started", rate=a.rate, events=a.events, seconds=a.seconds)
        acts = threading.Thread(target=self.actions, daemon=True)
        acts.start()
        sent = 0
        for i in range(a.events):
            due = self.t0 + i / a.rate
            now = time.time()
            if now - self.t0 > a.seconds + 5:
                self.note("send window over", sent=sent)
                break
            if due > now:
                time.sleep(due - now)
            self.sched_lag_max = max(self.sched_lag_max, time.time() - due)
            ev = self.make(self.rng.choices(kinds, weights)[0])
            self.send(ev, dedupe_all=a.scenario == "dedupe")
            sent += 1
        self.stop_sending.set()
        send_end = time.time()
        self.note("sending done", sent=sent, seconds=round(send_end - self.t0, 1))
        while True:  # requests still in flight (delayed retries included)
            with self.lock:
                if self.inflight == 0:
                    break
            time.sleep(0.1)
        last = max((r["at"] for r in self.acks), default=send_end)
        while time.time() < last + a.reply_timeout:  # every expected reply, or the timeout
            with self.lock:
                pending = [k for k, evs in self.by_key.items() if len(self.replies.get(k, ())) < sum(1 for e in evs if e.expects and e.delivered)]
            if not pending:
                break
            time.sleep(0.25)
        time.sleep(a.grace)  # late duplicates
        self.finished.set()
        watcher.join(10)
        acts.join(1)
        for rep in self.replicas:
            rep.rss_end = rss(rep) if rep.bot.proc.poll() is None else {}
        return self.report(sent, send_end)

    # -- the report -----------------------------------------------------------------
    def _replicas_of(self, ev: Ev) -> list:
        return [(r["replica"], r.get("retry"), r.get("status") or r.get("error")) for r in self.acks if r["seq"] == ev.seq]

    def report(self, sent: int, send_end: float) -> dict:
        a = self.args
        from bot.slack.replies import BUSY, FAILED, GENERIC, STOPPING

        failure_texts = (GENERIC, STOPPING, *FAILED.values(), "I'm still loading the docs index", "I can't reach my docs index")
        dup_events: list[Ev] = []
        missing: list[Ev] = []
        late: list[Ev] = []
        progress_dups = 0
        for key, evs in self.by_key.items():
            reps = sorted(self.replies.get(key, []))
            takers = sorted((e for e in evs if e.expects and (e.delivered or e.reached)), key=lambda e: e.sent_at or 0)
            used = [False] * len(reps)
            for e in takers:
                for j, (at, text) in enumerate(reps):
                    if not used[j] and at >= (e.sent_at or 0) - 0.05:
                        used[j] = True
                        e.reply_at, e.reply_text = at, text
                        break
            for j, (at, _) in enumerate(reps):
                if not used[j]:  # a reply no event is waiting for: whose? (the latest one sent twice, else the latest)
                    before = [e for e in evs if (e.sent_at or 0) <= at + 0.05] or evs
                    twice = [e for e in before if e.copy]
                    dup_events.append(max(twice or before, key=lambda e: e.sent_at or 0))
            if key[0] == "f" and self.progress[key] > 1:
                progress_dups += self.progress[key] - 1
                dup_events += [evs[0]] * (self.progress[key] - 1 - max(0, len(reps) - 1))
        measured = [e for e in self.events if not e.warm]
        for e in measured:
            if e.expects and e.delivered:
                ms = e.latency_ms()
                if ms is None:
                    missing.append(e)
                elif ms > a.reply_timeout * 1000:
                    late.append(e)
        dups = [e for e in dup_events if not e.warm]
        # With Redis down, replicas cannot share what they saw: a copy handled by
        # another replica during the outage may be answered twice, and a follow-up
        # in a thread remembered only in Redis (or by the other replica) goes unanswered.
        down = self.redis_down_at
        outage_dups = [e for e in dups if down and e.copy == "cross" and (e.last_sent_at or 0) >= down]
        outage_followups = [e for e in missing if down and e.kind == "followup" and (e.sent_at or 0) >= down]
        acks = [r for r in self.acks if not r["warm"]]
        ok_acks = [r["ms"] for r in acks if r.get("status") == 200 and "error" not in r]
        non200 = [r for r in acks if "status" in r and r["status"] != 200 and not r.get("refused")]
        transport = [r for r in acks if "status" not in r and "error" in r]
        other_ack_errors = [r for r in acks if r.get("status") == 200 and "error" in r]
        replied = [e for e in measured if e.latency_ms() is not None]
        reply_ms: list[float] = []
        by_kind: dict[str, list[float]] = defaultdict(list)
        for e in replied:
            ms = e.latency_ms() or 0.0
            reply_ms.append(ms)
            by_kind[e.kind].append(ms)
        error_replies = [e for e in replied if any(t in e.reply_text for t in failure_texts)]
        busy = [e for e in replied if BUSY in e.reply_text]
        leaks = sum(1 for key, reps in self.replies.items() for _, t in reps if "<<SECRET LEAKED>>" in t)
        n_err = len(non200) + len(transport) + len(other_ack_errors) + len(missing) + len(late) + len(error_replies)
        kinds = Counter(e.kind for e in measured)
        reps_out = []
        for rep in self.replicas:
            s0, s1 = rep.rss_start, rep.rss_end
            growth = {k: round((s1[k] - s0[k]) / s0[k] * 100, 1) for k in ("main_mb", "tree_mb") if s1.get(k) and s0.get(k)}
            reps_out.append({
                "replica": rep.idx, "port": rep.bot.port, "pid": rep.bot.proc.pid, "rss_start": s0, "rss_end": s1, "rss_growth_pct": growth,
                "acks": sum(1 for r in acks if r["replica"] == rep.idx), "stopped_on_purpose": rep.stopping, "unexpected_exit": rep.unexpected_exit,
                "exit_code_during_run": rep.exit_code, "healthz": rep.health,
                "rss_main_mb_min_max": [min((x[1] for x in rep.rss_samples), default=None), max((x[1] for x in rep.rss_samples), default=None)],
                "rss_samples": rep.rss_samples,
            })
        res = {
            "scenario": a.scenario, "run_id": self.run_id, "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.t0)),
            "bot": a.tree or "working tree", "replicas_n": len(self.replicas), "redis": bool(a.redis),
            "settings": {"rate": a.rate, "seconds": a.seconds, "events_cap": a.events, "dup_share": a.dup_share, "same_share": a.same_share,
                         "reply_timeout_s": a.reply_timeout, "seed": a.seed, "workers": a.workers or "default"},
            "sent": {"events": len(measured), "requests": len(acks), "by_kind": dict(kinds), "send_seconds": round(send_end - self.t0, 1),
                     "achieved_rate": round(len(measured) / max(0.001, send_end - self.t0), 1),
                     "cross_replica_copies": sum(1 for e in measured if e.copy == "cross"), "same_replica_retries": sum(1 for e in measured if e.copy == "same"),
                     "rerouted": self.rerouted, "refused_by": dict(Counter(r.get("refused_as") or f"HTTP {r.get('status')}" for r in acks if r.get("refused"))),
                     "scheduler_lag_max_ms": round(self.sched_lag_max * 1000, 1)},
            "ack_ms": stats(ok_acks),
            "reply_ms": stats(reply_ms),
            "reply_ms_by_kind": {k: stats(v) for k, v in sorted(by_kind.items())},
            "errors": {"total": n_err, "followups_unanswered_during_redis_outage": len(outage_followups), "non_200": len(non200), "transport": len(transport), "bad_ack": len(other_ack_errors), "no_reply": len(missing),
                       "late_reply": len(late), "failure_replies": len(error_replies),
                       "no_reply_by_kind": dict(Counter(e.kind for e in missing)),
                       "examples": [{k: r.get(k) for k in ("seq", "kind", "replica", "retry", "status", "error")} for r in (non200 + transport + other_ack_errors)[:8]]
                       + [{"seq": e.seq, "kind": e.kind, "no_reply": True, "copy": e.copy, "event_id": e.event_id, "replicas": self._replicas_of(e)} for e in missing[:8]]
                       + [{"seq": e.seq, "kind": e.kind, "reply": e.reply_text[:120]} for e in error_replies[:5]]},
            "duplicates": {"total": len(dups), "by_kind": dict(Counter(e.kind for e in dups)), "by_copy": dict(Counter(e.copy or "none" for e in dups)),
                           "file_dm_progress_extra": progress_dups, "cross_replica_during_redis_outage": len(outage_dups)},
            "busy_replies": len(busy), "secret_leaks": leaks, "stray_replies": len(self.stray),
            "ephemeral_notes": dict(self.notes), "slash_ack_notes": dict(Counter(r["ack_note"] for r in acks if r.get("ack_note"))),
            "replicas": reps_out,
            "timeline": self.timeline,
        }
        if a.scenario == "redis-down":
            res["redis_down_at_s"] = round(self.redis_down_at - self.t0, 1) if self.redis_down_at else None
        return res


def finish(res: dict, procs: Procs, args) -> list[dict]:
    """After the replicas are stopped: exit codes, tracebacks, metrics; then the bars."""
    for rep, out in zip(procs.replicas, res["replicas"]):
        out["exit_code"] = rep.exit_code
        logs = rep.bot.log_path.read_text(errors="replace") if rep.bot.log_path.exists() else ""
        out["tracebacks_in_log"] = logs.count("Traceback")
        levels: Counter = Counter()
        for ln in logs.splitlines():
            try:
                r = json.loads(ln) if ln.startswith("{") else None
            except ValueError:
                r = None
            if isinstance(r, dict) and r.get("level") in ("error", "warning", "critical"):
                levels[f"{r['level']}: {r.get('msg')}"] += 1
        out["log_warnings_errors"] = dict(levels.most_common(8))
    sc = res["scenario"]
    bars = []

    def bar(name, value, limit, ok):
        bars.append({"bar": name, "value": value, "limit": limit, "pass": bool(ok)})

    e = res["errors"]["total"] - (res["errors"]["followups_unanswered_during_redis_outage"] if sc == "redis-down" else 0)
    bar("errors" + (" (but follow-ups during the redis outage)" if sc == "redis-down" else ""), e, "0", e == 0)
    d = res["duplicates"]["total"] - (res["duplicates"]["cross_replica_during_redis_outage"] if sc == "redis-down" else 0)
    bar("duplicates" + (" (outside the redis outage)" if sc == "redis-down" else ""), d, "0", d == 0)
    ack = res["ack_ms"].get("p99")
    bar("ack p99 ms", ack, f"< {BARS['ack_p99_ms']}", ack is not None and ack < BARS["ack_p99_ms"])
    rp = res["reply_ms"].get("p95")
    bar("reply p95 ms", rp, f"< {BARS['reply_p95_ms']}", rp is not None and rp < BARS["reply_p95_ms"])
    growth = [r["rss_growth_pct"].get("main_mb") for r in res["replicas"] if r["rss_growth_pct"]]
    worst = max(growth) if growth else None
    bar("RSS growth % (worst replica, main process)", worst, f"< {BARS['rss_growth_pct']}", worst is not None and worst < BARS["rss_growth_pct"])
    unexpected = [r["replica"] for r in res["replicas"] if r["unexpected_exit"]]
    bar("replicas that exited unexpectedly", unexpected, "none", not unexpected)
    if sc == "stop-replica":
        code = res["replicas"][0]["exit_code"]
        bar("stopped replica exit code", code, "0", code == 0)
    codes = [r["exit_code"] for r in res["replicas"] if not r["unexpected_exit"]]
    bar("exit codes on SIGTERM", codes, "all 0", all(c == 0 for c in codes))
    if sc == "redis-down":
        seen = [r["healthz"]["degraded_seen"] for r in res["replicas"] if not r["unexpected_exit"]]
        bar("/healthz says degraded (replicas)", f"{sum(seen)}/{len(seen)}", "all", bool(seen) and all(seen))
    if sc == "dedupe":
        bar("events delivered to two replicas", res["sent"]["cross_replica_copies"], f">= {args.events}", res["sent"]["cross_replica_copies"] >= args.events)
    leaks = res["secret_leaks"]
    bar("pasted secrets in replies", leaks, "0", leaks == 0)
    res["bars"] = bars
    res["pass"] = all(b["pass"] for b in bars)
    return bars


def table(res: dict) -> str:
    a, r = res["ack_ms"], res["reply_ms"]
    s, d, e = res["sent"], res["duplicates"], res["errors"]
    lines = [
        f"soak {res['scenario']}: {res['replicas_n']} replica(s), redis {'on' if res['redis'] else 'off'}, bot {res['bot']}, {s['events']} events / "
        f"{s['requests']} requests in {s['send_seconds']} s ({s['achieved_rate']}/s), {s['cross_replica_copies']} to two replicas, "
        f"{s['same_replica_retries']} retried on the same one, {s['rerouted']} rerouted",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| ack ms | p50 {a.get('p50')}, p95 {a.get('p95')}, p99 {a.get('p99')}, max {a.get('max')} (n {a.get('n')}) |",
        f"| reply ms | p50 {r.get('p50')}, p95 {r.get('p95')}, p99 {r.get('p99')}, max {r.get('max')} (n {r.get('n')}) |",
        "| reply p95 ms by kind | " + ", ".join(f"{k} {v.get('p95')}" for k, v in res["reply_ms_by_kind"].items()) + " |",
        f"| errors | {e['total']}: non-200 {e['non_200']}, transport {e['transport']}, no reply {e['no_reply']} {e['no_reply_by_kind'] or ''}, "
        f"late {e['late_reply']}, failure replies {e['failure_replies']}; follow-ups unanswered during a redis outage "
        f"{e['followups_unanswered_during_redis_outage']} |",
        f"| duplicates | {d['total']} {d['by_kind'] or ''} by copy {d['by_copy'] or ''}; cross-replica during a redis outage "
        f"{d['cross_replica_during_redis_outage']} |",
        f"| busy replies, secret leaks, stray replies | {res['busy_replies']}, {res['secret_leaks']}, {res['stray_replies']} |",
        f"| ephemeral notes (rate limits...) | {sum(res['ephemeral_notes'].values())} {res['ephemeral_notes'] or ''}; slash ack notes "
        f"{sum(res['slash_ack_notes'].values())} {res['slash_ack_notes'] or ''} |",
    ]
    for rep in res["replicas"]:
        s0, s1, g = rep["rss_start"], rep["rss_end"], rep["rss_growth_pct"]
        lines.append(f"| replica {rep['replica']} RSS MB main / tree | {s0.get('main_mb')} -> {s1.get('main_mb', '-')} ({g.get('main_mb', '-')}%) / "
                     f"{s0.get('tree_mb')} -> {s1.get('tree_mb', '-')} ({g.get('tree_mb', '-')}%); exit {rep.get('exit_code')}, tracebacks {rep.get('tracebacks_in_log')}, "
                     f"healthz non-200 {rep['healthz']['non_200']}/{rep['healthz']['polls']} |")
    lines += ["", "| bar | value | limit | result |", "| --- | --- | --- | --- |"]
    lines += [f"| {b['bar']} | {b['value']} | {b['limit']} | {'PASS' if b['pass'] else 'FAIL'} |" for b in res.get("bars", [])]
    lines.append(f"\noverall: {'PASS' if res.get('pass') else 'FAIL'}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=["steady", "sighup", "stop-replica", "redis-down", "single", "dedupe"], default="steady")
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--rate", type=float, default=20.0, help="events per second")
    ap.add_argument("--seconds", type=float, help="how long to send (default 600; dedupe: events / rate)")
    ap.add_argument("--events", type=int, help="events to send (default: rate x seconds; dedupe: 500)")
    ap.add_argument("--max-events", type=int, default=20000, help="hard cap on events")
    ap.add_argument("--max-wall", type=float, help="hard cap on the whole run's wall time, s (default: seconds + 600)")
    ap.add_argument("--dup-share", type=float, default=0.10, help="share of events delivered to two replicas")
    ap.add_argument("--same-share", type=float, default=0.03, help="share of events retried on the same replica")
    ap.add_argument("--reply-timeout", type=float, default=30.0, help="an acked event without a reply after this is an error")
    ap.add_argument("--grace", type=float, default=3.0, help="seconds to wait for late duplicates")
    ap.add_argument("--sighup-every", type=float, default=20.0)
    ap.add_argument("--senders", type=int, default=48, help="sender threads")
    ap.add_argument("--workers", type=int, help="CHSM_WORKERS for each replica")
    ap.add_argument("--users", type=int, default=400, help="distinct users sending")
    ap.add_argument("--channels", type=int, default=40, help="distinct channels mentioned in")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tree", help="another source tree of the bot to run (PYTHONPATH)")
    ap.add_argument("--index", help="the index for --tree")
    ap.add_argument("--corpus", help="the corpus for --tree")
    ap.add_argument("--label", default="", help="added to the output file names")
    ap.add_argument("--keep-logs", action="store_true", help="save each replica's log next to the report")
    args = ap.parse_args()
    if args.scenario == "single":
        args.replicas = 1
    if args.scenario == "dedupe" and args.replicas < 2:
        ap.error("dedupe needs two replicas")
    args.redis = args.scenario != "single"
    if args.scenario == "dedupe":
        args.events = args.events or 500
        args.seconds = max(args.seconds or 0, args.events / args.rate)
    else:
        args.seconds = args.seconds or 600.0
        args.events = args.events or int(args.rate * args.seconds)
    args.events = min(args.events, args.max_events)
    max_wall = args.max_wall or args.seconds + 600
    if args.tree:
        if not (args.index and args.corpus):
            ap.error("--tree needs --index and --corpus")
        os.environ.update({"CHSM_TEST_BOT_PYTHONPATH": args.tree, "CHSM_TEST_BOT_INDEX_DIR": args.index, "CHSM_TEST_BOT_CORPUS_DIR": args.corpus})

    procs = Procs()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # SIGINT too: a shell's `&` starts us with it ignored
        signal.signal(sig, on_signal)

    def wall_cap():
        print(f"[soak] wall-time cap of {max_wall:.0f} s hit: stopping everything", file=sys.stderr, flush=True)
        procs.cleanup()
        os._exit(3)

    cap = threading.Timer(max_wall, wall_cap)
    cap.daemon = True
    cap.start()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    name = f"soak-{args.scenario}{'-' + args.label if args.label else ''}-{stamp}"
    tmp = Path(tempfile.mkdtemp(prefix="chsm-soak-"))
    try:
        soak = Soak(args, procs, tmp)
        soak.start()
        res = soak.run()
        procs.cleanup()  # one SIGTERM each: a clean stop is part of the result
        finish(res, procs, args)
        if args.keep_logs:
            for rep in procs.replicas:
                shutil.copy(rep.bot.log_path, out_dir / f"{name}-replica{rep.idx}.txt")
        text = table(res)
        (out_dir / f"{name}.json").write_text(json.dumps(res, indent=2) + "\n")
        (out_dir / f"{name}.txt").write_text(text + "\n")
        print(json.dumps(res, indent=2))
        print()
        print(text)
        print(f"\nwritten: bench/out/{name}.json, bench/out/{name}.txt")
        return 0 if res["pass"] else 1
    except KeyboardInterrupt:
        print("[soak] interrupted: stopping everything", file=sys.stderr, flush=True)
        return 130
    finally:
        cap.cancel()
        procs.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
