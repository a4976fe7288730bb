"""A follow-up in a channel thread the bot already answered, without a
mention: answered in that thread, the thread's earlier text as context;
not at all where the channels file turns follow-ups (or the channel) off,
and only to its author where it says `replies: ephemeral`."""

from slack_sdk import WebClient

from bot.slack.replies import ignored, malformed, poster, respond, s, thread_memory
from bot.slack.services import Services

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "thread_broadcast"}


def handle(svc: Services, event: dict, body: dict, client: WebClient, bot_user_id: str | None) -> None:
    event_id = s(body, "event_id")
    if malformed(event, "text", "thread_ts"):
        return ignored(svc, "malformed event", event_id)
    channel, ts, thread_ts = event["channel"], event["ts"], s(event, "thread_ts")
    text = s(event, "text") or ""
    if not thread_ts or thread_ts == ts:
        return ignored(svc, "channel message", event_id, quiet=True)
    if event.get("bot_id") or event.get("subtype") in IGNORED_SUBTYPES:
        return ignored(svc, "bot message or edit", event_id, quiet=True)
    if event.get("channel_type") not in ("channel", "group"):
        return ignored(svc, "not a channel", event_id, quiet=True)
    if bot_user_id and f"<@{bot_user_id}>" in text:
        return ignored(svc, "mention (answered as app_mention)", event_id)
    here = svc.channels.get(channel)
    if why := here.refusal("followup"):  # before the store is asked: nothing to answer anyway
        return ignored(svc, why, event_id)
    user = s(event, "user")
    if here.ephemeral and not user:
        return ignored(svc, "no user for an ephemeral reply", event_id)
    earlier = svc.store.thread_context(channel, thread_ts)
    if earlier is None:
        return ignored(svc, "not our thread", event_id)
    reply = respond(
        svc, "followup", text, event_id=event_id, in_channel=True, context=earlier,
        post=poster(svc, client, here, channel=channel, thread_ts=thread_ts, user=user, thread_exists=True),
    )
    memory, masked = thread_memory(reply, text)
    if memory:
        svc.store.remember_thread(channel, thread_ts, memory, masked=masked)
