"""SQLite in CHSM_DATA_DIR: feedback votes, the threads the bot answered (so a
follow-up without a mention is answered, with the thread's text as context),
and long queries behind buttons. Everything stored is masked first.

Storage trouble never stops the bot. A data folder that can't be written at
start: the same tables in memory, until restart. A write that fails later
(disk full, folder gone read-only): the vote is still thanked, with a note;
thread context falls back to a bounded in-memory map. `status()` says which,
for /healthz. Threads older than `thread_days` are pruned, never more than
`max_threads` are kept, and the file is capped at `max_mb`.
"""

import logging
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from bot.redact import redact

log = logging.getLogger("chsm.store")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    ts REAL NOT NULL, user_id TEXT, entry_id TEXT, verdict TEXT NOT NULL, query TEXT, surface TEXT
);
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL, thread_ts TEXT NOT NULL, context TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
CREATE INDEX IF NOT EXISTS threads_updated ON threads (updated);
CREATE TABLE IF NOT EXISTS queries (key TEXT PRIMARY KEY, query TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS unanswered (ts REAL NOT NULL, query TEXT NOT NULL, surface TEXT);
CREATE INDEX IF NOT EXISTS unanswered_ts ON unanswered (ts);
"""
MAX_CONTEXT = 6000
MAX_STASHED = 20_000  # characters of a query kept behind a button
PRUNE_EVERY = 500  # writes between prunes
MEMORY_THREADS = 10_000
MAX_UNANSWERED = 20_000  # questions kept for `chsm report`, newest first


def vote_query(query: str) -> str:
    """A voted query as stored: button queries come masked already; this is a second line."""
    return redact(query[:4000])[0][:2000]


def thread_text(earlier: str | None, text: str, *, masked: bool) -> str:
    """A thread's stored context after one more message: masked whole, then
    cut (a cut first may split a secret), the newest MAX_CONTEXT characters."""
    new = (text if masked else redact(text)[0])[-MAX_CONTEXT:]
    return (((earlier + "\n") if earlier else "") + new)[-MAX_CONTEXT:]


def _reason(exc: BaseException) -> str:
    """Why storage failed, without paths: sqlite's messages carry none, OSError's may."""
    if isinstance(exc, sqlite3.Error):
        return str(exc).split(":")[0][:120] or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


class FeedbackStore:
    def __init__(self, data_dir: Path | None, *, thread_days: float = 30, max_threads: int = 50_000, max_mb: int = 512, clock: Callable[[], float] = time.time):
        self.thread_days, self.max_threads, self.clock = thread_days, max_threads, clock
        self._lock = threading.Lock()
        self._memory_threads: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._writes = 0
        self.degraded: str | None = None  # why storage is not working as it should
        self.persistent = True
        try:
            if data_dir is None:  # on purpose: a fallback store that lives until restart
                self.persistent = False
                self._db = self._open(":memory:", max_mb)
            else:
                data_dir.mkdir(parents=True, exist_ok=True)
                self._db = self._open(str(data_dir / "chsm.sqlite3"), max_mb)
        except (OSError, sqlite3.Error) as exc:
            self.persistent = False
            self.degraded = f"the data folder can't be used ({_reason(exc)}); votes and threads are kept in memory until restart"
            log.error("store degraded", extra={"fields": {"error": _reason(exc)}})
            self._db = self._open(":memory:", max_mb)  # if even this fails, nothing can work: it raises
        self.prune()

    @staticmethod
    def _open(target: str, max_mb: int) -> sqlite3.Connection:
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=5)
        try:
            if target != ":memory:":
                db.execute("PRAGMA journal_mode=WAL")
            page = db.execute("PRAGMA page_size").fetchone()[0]
            db.execute(f"PRAGMA max_page_count={max(64, max_mb * 1024 * 1024 // page)}")
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO queries VALUES ('_probe', '', 0)")  # a write, so a read-only place fails now
            db.execute("DELETE FROM queries WHERE key='_probe'")
        except sqlite3.Error:
            db.close()
            raise
        return db

    # -- writes that may fail --------------------------------------------------
    def _write(self, what: str, sql: str, params: tuple) -> bool:
        try:
            with self._lock:
                self._db.execute(sql, params)
                self._writes += 1
                due = self._writes % PRUNE_EVERY == 0
        except sqlite3.Error as exc:
            if self.degraded is None or self.persistent:
                log.error("store write failed", extra={"fields": {"what": what, "error": _reason(exc)}})
            self.degraded = f"writes fail ({_reason(exc)})"
            return False
        if self.persistent and self.degraded and self.degraded.startswith("writes fail"):
            self.degraded = None  # the disk has room again
            log.info("store recovered")
        if due:
            self.prune()
        return True

    def vote(self, user_id: str, entry_id: str | None, verdict: str, query: str, surface: str) -> bool:
        """True when stored."""
        masked = vote_query(query)
        return self._write("vote", "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)", (self.clock(), user_id, entry_id, verdict, masked, surface))

    def remember_thread(self, channel: str, thread_ts: str, text: str, *, masked: bool = False) -> None:
        """`masked`: the text is masked already (by the engine), so it is not masked again."""
        context = thread_text(self.thread_context(channel, thread_ts), text, masked=masked)
        if self._write("thread", "INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?)", (channel, thread_ts, context, self.clock())):
            self._memory_threads.pop((channel, thread_ts), None)
            return
        with self._lock:
            self._memory_threads[(channel, thread_ts)] = context
            self._memory_threads.move_to_end((channel, thread_ts))
            while len(self._memory_threads) > MEMORY_THREADS:
                self._memory_threads.popitem(last=False)

    def record_unanswered(self, query: str, surface: str) -> None:
        """A question the bot abstained on (masked already): `chsm report` lists them."""
        self._write("unanswered", "INSERT INTO unanswered VALUES (?, ?, ?)", (self.clock(), query[:2000], surface))

    def stash_query(self, query: str) -> str | None:
        """Keep a long (already masked) query behind a short key for a button."""
        key = secrets.token_urlsafe(9)
        ok = self._write("query", "INSERT INTO queries VALUES (?, ?, ?)", (key, query[:MAX_STASHED], self.clock()))
        return key if ok else None

    # -- reads --------------------------------------------------------------------
    def _read(self, sql: str, params: tuple) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            log.error("store read failed", extra={"fields": {"error": _reason(exc)}})
            return []

    def thread_context(self, channel: str, thread_ts: str) -> str | None:
        with self._lock:
            mem = self._memory_threads.get((channel, thread_ts))
        if mem is not None:
            return mem
        rows = self._read("SELECT context FROM threads WHERE channel=? AND thread_ts=?", (channel, thread_ts))
        return rows[0][0] if rows else None

    def stashed_query(self, key: str) -> str | None:
        rows = self._read("SELECT query FROM queries WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def report_items(self, since: float) -> list[dict]:
        """What `chsm report` clusters: unanswered questions and negative votes since `since`."""
        rows = self._read("SELECT ts, query, surface FROM unanswered WHERE ts >= ? ORDER BY ts DESC LIMIT ?", (since, MAX_UNANSWERED))
        items = [{"ts": ts, "kind": "unanswered", "query": q, "entry": None, "surface": surface} for ts, q, surface in rows]
        rows = self._read(
            "SELECT ts, verdict, query, entry_id, surface FROM feedback WHERE ts >= ? AND verdict != 'helpful' ORDER BY ts DESC LIMIT ?",
            (since, MAX_UNANSWERED),
        )
        items += [{"ts": ts, "kind": verdict, "query": q or "", "entry": e, "surface": surface} for ts, verdict, q, e, surface in rows]
        return items

    def summary(self) -> list[dict]:
        rows = self._read(
            "SELECT entry_id, SUM(verdict='helpful'), SUM(verdict='not_helpful'), SUM(verdict='stuck'), COUNT(*) "
            "FROM feedback GROUP BY entry_id ORDER BY SUM(verdict!='helpful') DESC, COUNT(*) DESC",
            (),
        )
        out = []
        for entry, good, bad, stuck, n in rows:
            sample = self._read("SELECT query FROM feedback WHERE entry_id IS ? AND verdict!='helpful' ORDER BY ts DESC LIMIT 3", (entry,))
            out.append({"entry": entry, "helpful": good, "not_helpful": bad, "stuck": stuck, "votes": n, "recent_complaints": [s[0] for s in sample]})
        return out

    def counts(self) -> dict:
        rows = self._read("SELECT (SELECT COUNT(*) FROM threads), (SELECT COUNT(*) FROM queries), (SELECT COUNT(*) FROM feedback)", ())
        t, q, f = rows[0] if rows else (None, None, None)
        return {"threads": t, "queries": q, "votes": f}

    # -- housekeeping ---------------------------------------------------------------
    def prune(self) -> None:
        """Forget threads and stashed queries older than thread_days, and keep
        at most max_threads threads (the most recently updated)."""
        cutoff = self.clock() - self.thread_days * 86400
        try:
            with self._lock:
                self._db.execute("DELETE FROM threads WHERE updated < ?", (cutoff,))
                self._db.execute("DELETE FROM queries WHERE created < ?", (cutoff,))
                self._db.execute(
                    "DELETE FROM threads WHERE rowid IN (SELECT rowid FROM threads ORDER BY updated DESC LIMIT -1 OFFSET ?)", (self.max_threads,)
                )
                self._db.execute(
                    "DELETE FROM queries WHERE rowid IN (SELECT rowid FROM queries ORDER BY created DESC LIMIT -1 OFFSET ?)", (self.max_threads,)
                )
                self._db.execute(
                    "DELETE FROM unanswered WHERE rowid IN (SELECT rowid FROM unanswered ORDER BY ts DESC LIMIT -1 OFFSET ?)", (MAX_UNANSWERED,)
                )
        except sqlite3.Error as exc:
            log.error("store prune failed", extra={"fields": {"error": _reason(exc)}})

    def status(self) -> dict:
        if self.degraded:
            return {"status": "degraded", "reason": self.degraded}
        return {"status": "ok"}


def format_summary(rows: list[dict]) -> str:
    if not rows:
        return "No feedback recorded yet."
    lines = [f"{'helpful':>7} {'not':>4} {'stuck':>5}  entry"]
    for r in rows:
        lines.append(f"{r['helpful']:>7} {r['not_helpful']:>4} {r['stuck']:>5}  {r['entry'] or '(no answer: abstained)'}")
        for q in r["recent_complaints"]:
            lines.append(f"{'':>20}  ↳ {q[:100]!r}")
    return "\n".join(lines)
