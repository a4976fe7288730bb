"""`chsm manifest`: the Slack app manifest, so an admin creates the app in one paste."""

import yaml

BOT_SCOPES = [
    "app_mentions:read",  # @chsm-bot in channels
    "chat:write",  # replies
    "commands",  # /chsm
    "im:history",  # DMs with pasted logs
    "im:read",
    "im:write",
    "files:read",  # logs attached to DMs
    "files:write",  # long triage reports attached in full
    "reactions:write",  # :eyes: while triaging
    "channels:history",  # follow-ups in threads the bot answered
    "groups:history",
]
BOT_EVENTS = ["app_mention", "message.im", "message.channels", "message.groups"]


def manifest(http_url: str | None = None) -> dict:
    slash = {"command": "/chsm", "description": "Answer an Azure Cloud HSM question or error", "usage_hint": "[question | error text | help | triage]", "should_escape": False}
    settings: dict = {
        "event_subscriptions": {"bot_events": BOT_EVENTS},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": http_url is None,
        "token_rotation_enabled": False,
    }
    if http_url:
        events = http_url.rstrip("/") + "/slack/events"
        slash["url"] = events
        settings["event_subscriptions"]["request_url"] = events
        settings["interactivity"]["request_url"] = events
    return {
        "display_information": {
            "name": "chsm-bot",
            "description": "Fixes for Azure Cloud HSM errors, from Microsoft's docs",
            "background_color": "#0b3d91",
        },
        "features": {
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "chsm-bot", "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": settings,
    }


def manifest_yaml(http_url: str | None = None) -> str:
    return yaml.safe_dump(manifest(http_url), sort_keys=False)
