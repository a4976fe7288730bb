"""Per-channel settings (CHSM_CHANNELS_FILE). Placeholder: every channel
gets the defaults until the YAML loader lands."""

from pathlib import Path

from pydantic import BaseModel


class ChannelSettings(BaseModel):
    answer: bool = True


class Channels:
    def __init__(self, default: ChannelSettings | None = None):
        self.default = default or ChannelSettings()

    @classmethod
    def load(cls, path: Path | None) -> "Channels":
        return cls()

    def get(self, channel: str | None) -> ChannelSettings:
        return self.default
