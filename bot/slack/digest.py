"""The `chsm report` digest, posted to CHSM_REPORT_CHANNEL on a schedule.

Schedule: every CHSM_REPORT_DAYS days counted from Monday 1970-01-05 09:00
UTC, so with the default 7 that is every Monday at 09:00 UTC (1 gives a
daily digest at 09:00 UTC). Each digest covers the CHSM_REPORT_DAYS days
before it is posted.

Only one replica posts a period's digest: the first to claim it with
`store.first_time("digest:<period start>")` (on Redis that is SET NX shared
by every replica; the claim lives an hour, EVENT_TTL). A replica only posts
within WINDOW (30 min) of the due time, so every replica that looks does so
while the claim is still there; a fleet that is down for that whole half
hour skips that period's digest rather than risking two. A storage that is
not "ok" is not trusted with the claim (on a Redis outage every replica
would claim in its own memory) nor with the report (it would be empty): the
replica tries again at the next tick, still within the window.

With no channel set, `start` returns at once: no thread, no cost. The thread
never raises, and it ends once `svc.draining` is set.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

log = logging.getLogger("chsm.slack")

ANCHOR = 4 * 86400 + 9 * 3600  # Monday 1970-01-05 09:00 UTC
WINDOW = 1800.0  # a period's digest is posted within this long after it is due
TICK = 30.0  # how often the schedule is looked at
STOP_CHECK = 1.0  # while waiting, `svc.draining` is looked at this often


def period(now: float, days: float) -> tuple[float, str]:
    """(when the current period's digest is due, its key)."""
    length = max(3600.0, days * 86400)
    due = ANCHOR + ((now - ANCHOR) // length) * length
    return due, "digest:" + datetime.fromtimestamp(due, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


class Digest:
    def __init__(self, svc, client, *, clock: Callable[[], float] = time.time, tick: float = TICK, sleep: Callable[[float], None] = time.sleep):
        self.svc, self.client = svc, client
        self.clock, self.tick, self.sleep = clock, tick, sleep
        self.done: set[str] = set()  # periods this replica has settled (posted, or seen claimed)
        self.posted = 0
        self.thread: threading.Thread | None = None

    def check(self) -> bool:
        """Post the current period's digest if it is due, unclaimed and ours
        to post; True when posted. Never raises."""
        try:
            return self._check()
        except Exception as exc:  # a bug here must not take the bot down
            log.error("digest failed", exc_info=True, extra={"fields": {"error": type(exc).__name__}})
            return False

    def _check(self) -> bool:
        cfg = self.svc.settings
        channel = cfg.chsm_report_channel
        now = self.clock()
        due, key = period(now, cfg.chsm_report_days)
        if not channel or key in self.done or not due <= now < due + WINDOW:
            return False
        if self.svc.store.status().get("status") != "ok":
            return False  # not trusted now: the next tick tries again
        if not self.svc.store.first_time(key):
            self.done.add(key)  # another replica has it
            return False
        self.done.add(key)
        from bot.report import build_report, format_slack  # here: most bots post no digest, and it costs 0.07 s to import

        since = now - cfg.chsm_report_days * 86400
        report = build_report(self.svc.store.report_items(since), since=since, until=now)
        text, blocks = format_slack(report)
        ok = self.svc.call(self.client.chat_postMessage, "chat.postMessage", channel=channel, text=text, blocks=blocks) is not None
        log.info("digest posted" if ok else "digest not posted", extra={"fields": {
            "period": key, "channel": channel, "unanswered": report.unanswered_total, "clusters": len(report.clusters), "votes": report.votes_total,
        }})
        self.posted += ok
        return ok

    def run(self) -> None:
        while not self.svc.draining:
            self.check()
            waited = 0.0
            while waited < self.tick and not self.svc.draining:
                step = min(STOP_CHECK, self.tick - waited)
                self.sleep(step)
                waited += step


def start(svc, client, **kw) -> Digest | None:
    """The digest thread, when CHSM_REPORT_CHANNEL is set (a daemon: it never
    holds up a stop). `kw`: clock, tick, sleep (tests)."""
    if not svc.settings.chsm_report_channel:
        return None
    digest = Digest(svc, client, **kw)
    digest.thread = threading.Thread(target=digest.run, name="report-digest", daemon=True)
    digest.thread.start()
    log.info("digest scheduled", extra={"fields": {"channel": svc.settings.chsm_report_channel, "every_days": svc.settings.chsm_report_days}})
    return digest
