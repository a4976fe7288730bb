"""`@chsm-bot <question or pasted error>` in a channel: a reply in the thread,
or, where the channels file says `replies: ephemeral`, an answer only the
asker sees. In a channel the file turns off, the asker alone is told where
to ask instead, and nothing is answered."""

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.replies import ignored, malformed, poster, respond, s, strip_mentions, thread_memory
from bot.slack.services import Services

OFF_HERE = "I don't answer in this channel. Ask me with `/chsm <question>` (only you see the answer), or send me a direct message."


def on_mention(svc: Services, event: dict, body: dict, client: WebClient) -> None:
    event_id = s(body, "event_id")
    if event.get("bot_id"):
        return ignored(svc, "bot message", event_id)
    if malformed(event, "text", "thread_ts"):
        return ignored(svc, "malformed event", event_id)
    channel, ts, user = event["channel"], event["ts"], s(event, "user")
    in_thread = s(event, "thread_ts")
    thread_ts = in_thread or ts
    here = svc.channels.get(channel)
    if why := here.refusal("mention"):
        if user:  # they called the bot by name: silence would read as an outage
            svc.call(client.chat_postEphemeral, "chat.postEphemeral", channel=channel, user=user, thread_ts=in_thread, text=OFF_HERE)
        return ignored(svc, why, event_id)
    if here.ephemeral and not user:
        return ignored(svc, "no user for an ephemeral reply", event_id)
    text = strip_mentions(s(event, "text") or "")
    reply = respond(
        svc, "mention", text, event_id=event_id, in_channel=True,
        post=poster(svc, client, here, channel=channel, thread_ts=thread_ts, user=user, thread_exists=bool(in_thread)),
    )
    memory, masked = thread_memory(reply, text)
    if memory:
        svc.store.remember_thread(channel, thread_ts, memory, masked=masked)


def register(app: App, svc: Services) -> None:
    @app.event("app_mention")
    def mention(event, body, client):
        on_mention(svc, event, body, client)
