"""Prometheus metrics, one registry per app (tests build several in a process)."""

from collections.abc import Callable
from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


def _stat(stats: Callable[[], dict], key: str) -> float:
    return float(stats().get(key, 0))


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("chsm_requests", "Slack requests handled, by surface", ["surface"], registry=r)
        self.ack = Histogram(
            "chsm_ack_seconds", "Time to answer Slack's HTTP request (the ack)", registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 3),
        )
        self.reply = Histogram(
            "chsm_reply_seconds", "Time from request to reply posted, by surface", ["surface"], registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 3, 10, 30, 60, 120),
        )
        self.abstains = Counter("chsm_abstains", "Answers that abstained, by surface", ["surface"], registry=r)
        self.errors = Counter("chsm_errors", "Errors, by kind (slack:<error>, internal, download, store)", ["kind"], registry=r)
        self.feedback = Counter("chsm_feedback", "Feedback votes", ["verdict"], registry=r)
        self.duplicates = Counter("chsm_duplicate_events", "Slack retries of events already handled", registry=r)
        self.rejected = Counter("chsm_rejected_requests", "HTTP requests refused at the edge, by reason", ["reason"], registry=r)
        self.evicted = Counter("chsm_evicted_connections", "Idle connections closed to make room at the connection limit", registry=r)
        self.jobs = Counter("chsm_jobs", "Heavy jobs (triage, long pastes), by outcome", ["outcome"], registry=r)
        self.reloads = Counter("chsm_index_reloads", "Index reloads (SIGHUP or a new index on disk)", registry=r)
        self.ignored = Counter("chsm_ignored_events", "Events dropped on purpose, by reason", ["reason"], registry=r)

    def watch_pool(self, stats: Callable[[], dict]) -> None:
        """Gauges read from the worker pool at scrape time."""
        for key, help_ in (("busy", "Workers running a job"), ("queued", "Jobs waiting for a worker"), ("alive", "Worker processes alive")):
            g = Gauge(f"chsm_workers_{key}", help_, registry=self.registry)
            g.set_function(partial(_stat, stats, key))

    def watch_store(self, status: Callable[[], dict]) -> None:
        g = Gauge("chsm_store_degraded", "1 while storage (SQLite or Redis) is degraded", registry=self.registry)
        g.set_function(lambda: float(status().get("status") != "ok"))

    def render(self) -> bytes:
        return generate_latest(self.registry)
