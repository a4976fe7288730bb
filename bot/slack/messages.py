"""The one `message` listener Slack needs: DMs and thread follow-ups."""

from bot.slack import dm, followup


def register(app, svc) -> None:
    @app.event("message")
    def on_message(event, body, client, context):
        if event.get("channel_type") == "im":
            dm.handle(svc, event, body, client)
        else:
            followup.handle(svc, event, body, client, context)
