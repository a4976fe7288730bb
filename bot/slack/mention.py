"""`@chsm-bot <question or pasted error>` in a channel: a threaded reply."""

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.replies import ignored, post_reply, respond, s, strip_mentions, thread_memory
from bot.slack.services import Services


def on_mention(svc: Services, event: dict, body: dict, client: WebClient) -> None:
    event_id = s(body, "event_id")
    if event.get("bot_id"):
        return ignored(svc, "bot message", event_id)
    channel, ts = s(event, "channel"), s(event, "ts")
    if not channel or not ts:
        return ignored(svc, "malformed event", event_id)
    thread_ts = s(event, "thread_ts") or ts
    text = strip_mentions(s(event, "text") or "")
    reply = respond(
        svc, "mention", text, event_id=event_id, in_channel=True,
        post=lambda msg, blocks, attach: post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach),
    )
    memory, masked = thread_memory(reply, text)
    if memory:
        svc.store.remember_thread(channel, thread_ts, memory, masked=masked)


def register(app: App, svc: Services) -> None:
    @app.event("app_mention")
    def mention(event, body, client):
        on_mention(svc, event, body, client)
