"""What the bot remembers between events, behind one interface with two
implementations:

- `LocalState` (the embedded default): de-duplication and rate limits in this
  process, threads, stashed queries, votes and unanswered questions in SQLite
  under CHSM_DATA_DIR (bot/slack/feedback.py).
- `RedisState` (CHSM_REDIS_URL set, bot/slack/redis_state.py): the same in
  Redis, shared by every replica, so a retry that reaches another process is
  still a duplicate and limits hold across replicas.

Every method is safe to call when storage is in trouble: it degrades (says
so in `status()`) and never raises into a listener."""

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bot.slack.dedupe import SeenEvents
from bot.slack.feedback import FeedbackStore

EVENT_TTL = 3600  # Slack retries within minutes; an hour is ample


class State(Protocol):
    backend: str

    def first_time(self, event_id: str) -> bool: ...
    def hit(self, key: str, window: float) -> int: ...
    def thread_context(self, channel: str, thread_ts: str) -> str | None: ...
    def remember_thread(self, channel: str, thread_ts: str, text: str, *, masked: bool = False) -> None: ...
    def stash_query(self, query: str) -> str | None: ...
    def stashed_query(self, key: str) -> str | None: ...
    def vote(self, user_id: str, entry_id: str | None, verdict: str, query: str, surface: str) -> bool: ...
    def record_unanswered(self, query: str, surface: str) -> None: ...
    def report_items(self, since: float) -> list[dict]: ...
    def summary(self) -> list[dict]: ...
    def status(self) -> dict: ...


class WindowCounter:
    """Fixed-window counters in this process: `hit` counts one event for a
    key and returns how many the key has had in the current window. Old
    windows are dropped as they pass, so memory is bounded by the keys active
    in one window."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._window_seen = -1

    def hit(self, key: str, window: float) -> int:
        slot = int(self.clock() // window)
        with self._lock:
            if slot != self._window_seen:
                self._counts = {k: n for k, n in self._counts.items() if k[1] >= slot}
                self._window_seen = slot
            n = self._counts.get((key, slot), 0) + 1
            self._counts[(key, slot)] = n
            return n


class LocalState(FeedbackStore):
    """SQLite (or memory) for what is stored; this process for what is fleeting."""

    backend = "local"

    def __init__(self, data_dir: Path | None, **kw):
        super().__init__(data_dir, **kw)
        self._seen = SeenEvents(ttl=EVENT_TTL)
        self._windows = WindowCounter(self.clock)

    def first_time(self, event_id: str) -> bool:
        return self._seen.first_time(event_id)

    def hit(self, key: str, window: float) -> int:
        return self._windows.hit(key, window)

    def status(self) -> dict:
        return {**super().status(), "backend": self.backend}


def open_state(settings, *, on_error: Callable[[str], None] | None = None) -> State:
    """The state the settings ask for. `on_error(kind)` counts storage errors
    (for /metrics)."""
    kw = dict(thread_days=settings.chsm_thread_days, max_threads=settings.chsm_max_threads, max_mb=settings.chsm_data_max_mb)
    if settings.chsm_redis_url:
        from bot.slack.redis_state import RedisState

        return RedisState(settings.chsm_redis_url, thread_days=settings.chsm_thread_days, on_error=on_error)
    return LocalState(settings.chsm_data_dir, **kw)
