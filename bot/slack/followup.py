"""A follow-up in a channel thread the bot already answered, without a
mention: answered in that thread, the thread's earlier text as context."""

import time

from bot.slack.replies import observe, post_reply, safe_answer

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "thread_broadcast"}


def is_followup(event: dict, bot_user_id: str | None) -> bool:
    return (
        event.get("channel_type") in ("channel", "group")
        and bool(event.get("thread_ts"))
        and event.get("thread_ts") != event.get("ts")
        and not event.get("bot_id")
        and event.get("subtype") not in IGNORED_SUBTYPES
        and not (bot_user_id and f"<@{bot_user_id}>" in (event.get("text") or ""))  # app_mention answers those
    )


def handle(svc, event, body, client, context) -> None:
    if not is_followup(event, context.get("bot_user_id")):
        return
    channel, thread_ts = event["channel"], event["thread_ts"]
    earlier = svc.store.thread_context(channel, thread_ts)
    if earlier is None:
        return  # not a thread we are part of
    started = time.perf_counter()
    svc.metrics.requests.labels("followup").inc()
    text = event.get("text") or ""
    msg, blocks, attach, entries, abstained = safe_answer(svc, text, in_channel=True, surface="followup", context=earlier)
    post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach)
    svc.store.remember_thread(channel, thread_ts, text)
    observe(svc, "followup", started, entries, body.get("event_id"), abstained)
