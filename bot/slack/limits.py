"""Per-user and per-channel rate limits, counted in the shared state (so on
Redis every replica shares them). Only what the bot would answer counts: a
mention, a DM, /chsm, a follow-up in a thread the bot answered; chatter in
other threads and button clicks never do.

Past a limit the asker hears it (only they see it): a /chsm in the ack
itself, an event once per window, so a flood of events never turns into a
flood of notes."""

from dataclasses import dataclass

from bot.slack.replies import s
from bot.slack.services import Services

WINDOW = 60.0


@dataclass(frozen=True)
class Asker:
    user: str | None
    channel: str | None
    thread_ts: str | None
    slash: bool


def asker(svc: Services, body: dict) -> Asker | None:
    """Who is asking the bot something in this payload, or None when it is not
    a question for the bot (then no limit applies)."""
    if body.get("command") is not None:
        text = s(body, "text") or ""
        if text.strip().lower() in ("", "help", "-h", "--help", "triage"):
            return None
        return Asker(s(body, "user_id"), s(body, "channel_id"), None, True)
    event = body.get("event")
    if body.get("type") != "event_callback" or not isinstance(event, dict) or event.get("bot_id"):
        return None
    user, channel, ts, thread_ts = s(event, "user"), s(event, "channel"), s(event, "ts"), s(event, "thread_ts")
    kind = event.get("type")
    if kind == "app_mention":
        if svc.channels.get(channel).refusal("mention") is not None:
            return None
        return Asker(user, channel, thread_ts, False)  # a top-level ephemeral note shows in the channel, not a thread
    if kind != "message" or event.get("subtype") not in (None, "file_share"):
        return None
    if event.get("channel_type") == "im":
        return Asker(user, channel, thread_ts, False)
    if svc.channels.get(channel).refusal("followup") is not None:
        return None
    if thread_ts and thread_ts != ts and channel and svc.store.thread_context(channel, thread_ts) is not None:
        return Asker(user, channel, thread_ts, False)
    return None


@dataclass(frozen=True)
class Over:
    note: str
    first: bool  # the first event past the limit in this window: the one that gets a note


def over_limit(svc: Services, who: Asker) -> Over | None:
    """None within the limits."""
    cfg = svc.settings
    checks = (("user", who.user, cfg.chsm_user_per_minute, "You are asking me more than {n} questions a minute"),
              ("channel", who.channel, cfg.chsm_channel_per_minute, "This channel is asking me more than {n} questions a minute"))
    for scope, key, limit, note in checks:
        if not key or limit <= 0:
            continue
        count = svc.store.hit(f"{scope}:{key}", WINDOW)
        if count > limit:
            svc.metrics.ignored.labels(f"rate limit: {scope}").inc()
            return Over(note.format(n=limit) + "; I'll take new ones again within a minute.", count == limit + 1)
    return None
