"""The one `message` listener Slack needs: DMs and thread follow-ups."""

from slack_bolt import App

from bot.slack import dm, followup
from bot.slack.services import Services


def register(app: App, svc: Services) -> None:
    @app.event("message")
    def on_message(event, body, client, context):
        bot_user_id = context.get("bot_user_id")
        if event.get("channel_type") == "im":
            dm.handle(svc, event, body, client)
        else:
            followup.handle(svc, event, body, client, bot_user_id if isinstance(bot_user_id, str) else None)
