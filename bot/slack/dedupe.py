"""Slack retries an event it thinks we missed (X-Slack-Retry-Num); the
event_id stays the same, so one seen-set with a TTL stops second replies."""

import threading
import time


class SeenEvents:
    def __init__(self, ttl: float = 3600, limit: int = 100_000):
        self.ttl, self.limit = ttl, limit
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > self.limit:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self.ttl}
            t = self._seen.get(key)
            if t is not None and now - t < self.ttl:
                return False
            self._seen[key] = now
            return True
