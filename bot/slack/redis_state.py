"""The bot's state in Redis (CHSM_REDIS_URL), shared by every replica:

    chsm:ev:<event_id>            SET NX, EX 1 h: the first replica to see an event answers it
    chsm:rl:<key>:<window>        INCR + EXPIRE: fixed-window rate limits
    chsm:th:<channel>:<ts>        a thread's masked context, EX thread_days
    chsm:q:<key>                  a long query behind a button, EX thread_days
    chsm:votes, chsm:unanswered   capped lists of JSON records (LPUSH + LTRIM)

Redis in trouble never silences the bot: a failed call falls back to an
in-memory LocalState (so a retry may be answered twice across replicas, but
every event is answered), is logged once per outage and counted, and Redis
is tried again after RETRY_SECONDS. `status()` says "degraded" meanwhile.
"""

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis

from bot.errors import ConfigError
from bot.slack.feedback import MAX_STASHED, MAX_UNANSWERED, thread_text, vote_query
from bot.slack.state import EVENT_TTL, LocalState

log = logging.getLogger("chsm.store")

T = TypeVar("T")
PREFIX = "chsm:"
MAX_VOTES = 100_000
RETRY_SECONDS = 2.0  # after a failure, calls go to memory for this long before Redis is tried again
DEGRADED_SECONDS = 10.0  # /healthz says degraded this long after the last failure
# A Redis that does not answer must cost a reply milliseconds, not seconds.
TIMEOUT = 0.5


class RedisState:
    backend = "redis"

    def __init__(self, url: str, *, thread_days: float = 30, on_error: Callable[[str], None] | None = None, clock: Callable[[], float] = time.time):
        try:
            self.r = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, health_check_interval=30,
                client_name="chsm-bot", decode_responses=True,
            )
        except ValueError as exc:
            raise ConfigError(f"CHSM_REDIS_URL is not a Redis URL ({str(exc).split('.')[0][:120]})") from None
        kw = self.r.connection_pool.connection_kwargs
        # Where it is, for messages: never the URL, which may hold a password.
        self.address = kw.get("path") or f"{kw.get('host', 'localhost')}:{kw.get('port', 6379)}"
        self.ttl = max(1, int(thread_days * 86400))
        self.clock = clock
        self.on_error = on_error or (lambda kind: None)
        self.memory = LocalState(None, thread_days=thread_days, clock=clock)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._last_error = 0.0
        self._reason: str | None = None
        self._call(lambda: self.r.ping(), lambda: None)  # a Redis down at start: say so now, serve anyway

    # -- one guarded way to call Redis ----------------------------------------
    def _call(self, fn: Callable[[], T], fallback: Callable[[], T]) -> T:
        now = time.monotonic()
        if now < self._down_until:
            return fallback()
        try:
            result = fn()
        except (redis.RedisError, OSError) as exc:
            with self._lock:
                first = self._reason is None
                self._reason = type(exc).__name__
                self._down_until = time.monotonic() + RETRY_SECONDS
                self._last_error = time.monotonic()
            self.on_error("redis")
            if first:
                log.error("redis unavailable, using memory", extra={"fields": {"error": self._reason}})
            return fallback()
        if self._reason is not None:
            with self._lock:
                was, self._reason = self._reason, None
            if was:
                log.info("redis recovered")
        return result

    # -- fleeting ----------------------------------------------------------------
    def first_time(self, event_id: str) -> bool:
        # This process first: a copy it has seen is a duplicate, whatever Redis
        # says (two copies racing here must not both lose); during an outage
        # this replica still never answers twice. Then Redis, for the others.
        if not self.memory.first_time(event_id):
            return False
        return self._call(lambda: bool(self.r.set(f"{PREFIX}ev:{event_id}", 1, nx=True, ex=EVENT_TTL)), lambda: True)

    def hit(self, key: str, window: float) -> int:
        slot = int(self.clock() // window)
        name = f"{PREFIX}rl:{key}:{slot}"

        def count() -> int:
            pipe = self.r.pipeline(transaction=False)
            pipe.incr(name)
            pipe.expire(name, int(window * 2) + 1)
            return int(pipe.execute()[0])

        return self._call(count, lambda: self.memory.hit(key, window))

    # -- threads and stashed queries ----------------------------------------------
    def thread_context(self, channel: str, thread_ts: str) -> str | None:
        stored = self._call(lambda: self.r.get(f"{PREFIX}th:{channel}:{thread_ts}"), lambda: None)
        return str(stored) if stored is not None else self.memory.thread_context(channel, thread_ts)

    def remember_thread(self, channel: str, thread_ts: str, text: str, *, masked: bool = False) -> None:
        context = thread_text(self.thread_context(channel, thread_ts), text, masked=masked)
        if not self._call(lambda: bool(self.r.set(f"{PREFIX}th:{channel}:{thread_ts}", context, ex=self.ttl)), lambda: False):
            self.memory.remember_thread(channel, thread_ts, context, masked=True)

    def stash_query(self, query: str) -> str | None:
        key = secrets.token_urlsafe(9)
        if self._call(lambda: bool(self.r.set(f"{PREFIX}q:{key}", query[:MAX_STASHED], ex=self.ttl)), lambda: False):
            return key
        return self.memory.stash_query(query)

    def stashed_query(self, key: str) -> str | None:
        stored = self._call(lambda: self.r.get(f"{PREFIX}q:{key}"), lambda: None)
        return str(stored) if stored is not None else self.memory.stashed_query(key)

    # -- what operators read -----------------------------------------------------------
    def _push(self, name: str, record: dict, cap: int) -> bool:
        def push() -> bool:
            pipe = self.r.pipeline(transaction=False)
            pipe.lpush(f"{PREFIX}{name}", json.dumps(record))
            pipe.ltrim(f"{PREFIX}{name}", 0, cap - 1)
            pipe.execute()
            return True

        return self._call(push, lambda: False)

    def vote(self, user_id: str, entry_id: str | None, verdict: str, query: str, surface: str) -> bool:
        """True when stored. Not kept in memory during an outage: a vote that
        only this process would ever see is not saved, and the user is told."""
        record = {"ts": self.clock(), "user": user_id, "entry": entry_id, "verdict": verdict, "query": vote_query(query), "surface": surface}
        return self._push("votes", record, MAX_VOTES)

    def record_unanswered(self, query: str, surface: str) -> None:
        self._push("unanswered", {"ts": self.clock(), "query": query[:2000], "surface": surface}, MAX_UNANSWERED)

    def _records(self, name: str, cap: int) -> list[dict]:
        raw = self._call(lambda: self.r.lrange(f"{PREFIX}{name}", 0, cap - 1), lambda: [])
        out = []
        for item in raw:
            try:
                rec = json.loads(item)
            except ValueError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("ts"), (int, float)):
                out.append(rec)
        return out

    def report_items(self, since: float) -> list[dict]:
        items = [
            {"ts": r["ts"], "kind": "unanswered", "query": str(r.get("query") or ""), "entry": None, "surface": r.get("surface")}
            for r in self._records("unanswered", MAX_UNANSWERED) if r["ts"] >= since
        ]
        items += [
            {"ts": r["ts"], "kind": r.get("verdict"), "query": str(r.get("query") or ""), "entry": r.get("entry"), "surface": r.get("surface")}
            for r in self._records("votes", MAX_VOTES) if r["ts"] >= since and r.get("verdict") != "helpful"
        ]
        return items

    def summary(self) -> list[dict]:
        """The same rows as the SQLite store's summary."""
        by_entry: dict[str | None, dict] = {}
        for r in sorted(self._records("votes", MAX_VOTES), key=lambda r: -r["ts"]):
            row = by_entry.setdefault(r.get("entry"), {"entry": r.get("entry"), "helpful": 0, "not_helpful": 0, "stuck": 0, "votes": 0, "recent_complaints": []})
            verdict = r.get("verdict")
            if verdict in ("helpful", "not_helpful", "stuck"):
                row[verdict] += 1
            row["votes"] += 1
            if verdict != "helpful" and len(row["recent_complaints"]) < 3:
                row["recent_complaints"].append(r.get("query") or "")
        return sorted(by_entry.values(), key=lambda row: (-(row["votes"] - row["helpful"]), -row["votes"]))

    def status(self) -> dict:
        recent = bool(self._last_error) and time.monotonic() - self._last_error < DEGRADED_SECONDS
        if self._reason is not None or recent:
            return {"status": "degraded", "backend": "redis", "reason": f"Redis unavailable ({self._reason or 'recovering'}); using memory, replicas may answer twice"}
        return {"status": "ok", "backend": "redis"}
