"""A follow-up in a channel thread the bot already answered, without a
mention: answered in that thread, the thread's earlier text as context."""

from slack_sdk import WebClient

from bot.slack.replies import ignored, post_reply, respond, s, thread_memory
from bot.slack.services import Services

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "thread_broadcast"}


def handle(svc: Services, event: dict, body: dict, client: WebClient, bot_user_id: str | None) -> None:
    event_id = s(body, "event_id")
    channel, ts, thread_ts = s(event, "channel"), s(event, "ts"), s(event, "thread_ts")
    text = s(event, "text") or ""
    if not thread_ts or thread_ts == ts:
        return ignored(svc, "channel message", event_id, quiet=True)
    if event.get("bot_id") or event.get("subtype") in IGNORED_SUBTYPES:
        return ignored(svc, "bot message or edit", event_id, quiet=True)
    if event.get("channel_type") not in ("channel", "group"):
        return ignored(svc, "not a channel", event_id, quiet=True)
    if bot_user_id and f"<@{bot_user_id}>" in text:
        return ignored(svc, "mention (answered as app_mention)", event_id)
    if not channel or not ts:
        return ignored(svc, "malformed event", event_id)
    earlier = svc.store.thread_context(channel, thread_ts)
    if earlier is None:
        return ignored(svc, "not our thread", event_id)
    reply = respond(
        svc, "followup", text, event_id=event_id, in_channel=True, context=earlier,
        post=lambda msg, blocks, attach: post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach),
    )
    memory, masked = thread_memory(reply, text)
    if memory:
        svc.store.remember_thread(channel, thread_ts, memory, masked=masked)
