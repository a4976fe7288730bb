"""SQLite in CHSM_DATA_DIR: feedback votes, and the threads the bot answered
(so a follow-up without a mention is answered, with the thread's text as
context). Everything stored is masked first."""

import sqlite3
import threading
import time
from pathlib import Path

from bot.redact import redact

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    ts REAL NOT NULL, user_id TEXT, entry_id TEXT, verdict TEXT NOT NULL, query TEXT, surface TEXT
);
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL, thread_ts TEXT NOT NULL, context TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
"""
MAX_CONTEXT = 6000


class FeedbackStore:
    def __init__(self, data_dir: Path):
        data_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(data_dir / "chsm.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def vote(self, user_id: str, entry_id: str | None, verdict: str, query: str, surface: str) -> None:
        masked, _ = redact(query)
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)", (time.time(), user_id, entry_id, verdict, masked[:2000], surface)
            )

    def summary(self) -> list[dict]:
        rows = self._db.execute(
            "SELECT entry_id, SUM(verdict='helpful'), SUM(verdict='not_helpful'), SUM(verdict='stuck'), COUNT(*) "
            "FROM feedback GROUP BY entry_id ORDER BY SUM(verdict!='helpful') DESC, COUNT(*) DESC"
        ).fetchall()
        out = []
        for entry, good, bad, stuck, n in rows:
            sample = self._db.execute(
                "SELECT query FROM feedback WHERE entry_id IS ? AND verdict!='helpful' ORDER BY ts DESC LIMIT 3", (entry,)
            ).fetchall()
            out.append({"entry": entry, "helpful": good, "not_helpful": bad, "stuck": stuck, "votes": n, "recent_complaints": [s[0] for s in sample]})
        return out

    def remember_thread(self, channel: str, thread_ts: str, text: str) -> None:
        masked, _ = redact(text)
        with self._lock:
            row = self._db.execute("SELECT context FROM threads WHERE channel=? AND thread_ts=?", (channel, thread_ts)).fetchone()
            context = ((row[0] + "\n") if row else "") + masked
            self._db.execute(
                "INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?)", (channel, thread_ts, context[-MAX_CONTEXT:], time.time())
            )

    def thread_context(self, channel: str, thread_ts: str) -> str | None:
        row = self._db.execute("SELECT context FROM threads WHERE channel=? AND thread_ts=?", (channel, thread_ts)).fetchone()
        return row[0] if row else None


def format_summary(rows: list[dict]) -> str:
    if not rows:
        return "No feedback recorded yet."
    lines = [f"{'helpful':>7} {'not':>4} {'stuck':>5}  entry"]
    for r in rows:
        lines.append(f"{r['helpful']:>7} {r['not_helpful']:>4} {r['stuck']:>5}  {r['entry'] or '(no answer: abstained)'}")
        for q in r["recent_complaints"]:
            lines.append(f"{'':>20}  ↳ {q[:100]!r}")
    return "\n".join(lines)
