"""Prometheus metrics, one registry per app (tests build several in a process)."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 3, 10, 30),
        )
        self.abstains = Counter("chsm_abstains", "Answers that abstained, by surface", ["surface"], registry=r)
        self.errors = Counter("chsm_errors", "Errors, by kind (slack:<error>, internal, download)", ["kind"], registry=r)
        self.feedback = Counter("chsm_feedback", "Feedback votes", ["verdict"], registry=r)
        self.duplicates = Counter("chsm_duplicate_events", "Slack retries of events already handled", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
