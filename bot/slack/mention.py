"""`@chsm-bot <question or pasted error>` in a channel: a reply in the thread,
or, where the channels file says `replies: ephemeral`, an answer only the
asker sees. In a channel the file turns off, the asker alone is told where
to ask instead, and nothing is answered."""

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.channels import ChannelSettings
from bot.slack.replies import Post, ignored, malformed, post_reply, respond, s, strip_mentions, thread_memory
from bot.slack.services import Services

OFF_HERE = "I don't answer in this channel. Ask me with `/chsm <question>` (only you see the answer), or send me a direct message."
TOO_LONG_HERE = "The full report is too long to show here. Send me the log in a direct message to get it as a file."


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


def poster(svc: Services, client: WebClient, here: ChannelSettings, *, channel: str, thread_ts: str, user: str | None, thread_exists: bool) -> Post:
    """How an answer goes out in this channel: in the thread for everyone
    (today's way), or ephemeral to the asker. Slack shows an ephemeral
    message in a thread only once that thread exists, so the answer to a
    top-level mention goes beside it in the channel, still seen by the
    asker alone."""
    if not here.ephemeral or not user:
        return lambda msg, blocks, attach: post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach)

    def ephemeral(msg: str, blocks: list, attach: str | None):
        if attach:  # a file upload would be seen by the whole channel
            blocks = [b for b in blocks if not _attachment_note(b)]
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": TOO_LONG_HERE}]})
        return svc.call(
            client.chat_postEphemeral, "chat.postEphemeral", channel=channel, user=user,
            thread_ts=thread_ts if thread_exists else None, text=msg, blocks=blocks,
        )

    return ephemeral


def _attachment_note(block: dict) -> bool:
    """The renderer's "the full report is attached" line, which is not true here."""
    if block.get("type") != "context":
        return False
    return any("attached as a file" in str(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))


def register(app: App, svc: Services) -> None:
    @app.event("app_mention")
    def mention(event, body, client):
        on_mention(svc, event, body, client)
