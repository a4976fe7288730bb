"""Per-channel settings (CHSM_CHANNELS_FILE, YAML): where the bot answers
@mentions, whether it answers un-mentioned follow-ups in its threads, who
*Still stuck* pings, and whether answers are posted in the thread for
everyone or shown only to the asker. docs/channels.example.yml is the
documented example.

    defaults:                 # every channel the file does not list
      answer: true
    channels:
      C0123ABCDEF:            # #hsm-support
        replies: ephemeral
        oncall: S0456GHIJKL

Each setting of a listed channel that the channel does not set comes from
`defaults`, then from the built-in default (today's behaviour: answer,
follow-ups on, threaded replies, on-call from CHSM_ONCALL). No file: every
channel gets the built-in defaults.

The file is read once, at start. Anything wrong with it (not found, not
YAML, an unknown or misspelt key, a value of the wrong kind, a channel
given by name, a channel listed twice) is a ConfigError with one line
naming the file and the place, so `chsm serve` stops before it listens.

The decisions live here; listeners ask `Channels.get(channel)` and act on
`refusal()`, `ephemeral` and `oncall_or()`. DMs and /chsm are per-user and
do not consult this (except *Still stuck*, which pings the on-call of the
channel it is clicked in).
"""

import difflib
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import ErrorDetails

from bot.errors import ConfigError

Replies = Literal["thread", "ephemeral"]
Surface = Literal["mention", "followup"]

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
MAX_FILE_BYTES = 1024 * 1024  # a settings file; anything bigger is the wrong file
TOP_KEYS = ("defaults", "channels")

# Reasons an event is ignored (log lines and the `ignored` metric's label).
CHANNEL_OFF = "channel off (channels file)"
FOLLOWUPS_OFF = "follow-ups off (channels file)"


class ChannelSettings(BaseModel):
    """What one channel gets, every setting resolved."""

    model_config = ConfigDict(frozen=True)

    answer: bool = True  # answer @mentions here
    followups: bool = True  # answer un-mentioned replies in threads the bot answered
    replies: Replies = "thread"  # thread: in the thread, for everyone; ephemeral: only the asker sees it
    oncall: str | None = None  # whom *Still stuck* pings; None: CHSM_ONCALL

    def refusal(self, surface: Surface) -> str | None:
        """Why the bot must not answer this kind of message here, or None."""
        if not self.answer:
            return CHANNEL_OFF
        if surface == "followup" and not self.followups:
            return FOLLOWUPS_OFF
        return None

    @property
    def ephemeral(self) -> bool:
        return self.replies == "ephemeral"

    def oncall_or(self, fallback: str) -> str:
        return self.oncall or fallback


class _Layer(BaseModel):
    """`defaults` or one channel, as written: what is left out is None."""

    model_config = ConfigDict(extra="forbid")

    answer: bool | None = None
    followups: bool | None = None
    replies: Replies | None = None
    oncall: str | None = None

    @field_validator("oncall")
    @classmethod
    def _one_handle(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip()
        if not v:
            raise ValueError("must not be empty (leave it out to use CHSM_ONCALL)")
        if "\n" in v or len(v) > 200:
            raise ValueError("must be one short line: a user U..., a user group S..., or text")
        return v

    def given(self) -> dict:
        return self.model_dump(exclude_none=True)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: _Layer | None = None
    channels: dict[str, _Layer | None] | None = None


class Channels:
    def __init__(self, default: ChannelSettings | None = None, overrides: dict[str, ChannelSettings] | None = None, *, source: str | None = None):
        self.default = default or ChannelSettings()
        self.overrides = dict(overrides or {})
        self.source = source

    @classmethod
    def load(cls, path: Path | None) -> "Channels":
        """The settings in `path`; None (or an empty CHSM_CHANNELS_FILE): the built-in defaults."""
        if path is None or str(path) in ("", "."):
            return cls()
        path = Path(path)
        where = f"channels file {path.name or path}"
        raw = _read(path, where)
        return cls.parse(raw, where, source=path.name)

    @classmethod
    def parse(cls, raw, where: str = "channels file", *, source: str | None = None) -> "Channels":
        """Settings from the YAML's data (a dict), or a one-line ConfigError."""
        if raw is None:
            raise ConfigError(f"{where}: is empty; give `defaults:` and/or `channels:` (see docs/channels.example.yml), or unset CHSM_CHANNELS_FILE")
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a mapping with `defaults:` and/or `channels:`, not {_kind(raw)}")
        chans = raw.get("channels")
        if isinstance(chans, dict):
            for key in chans:
                if not isinstance(key, str) or not CHANNEL_ID.fullmatch(key):
                    raise ConfigError(
                        f"{where}: channels.{key}: not a Slack channel id; write the channel's id "
                        "(like C0123ABCDEF, at the bottom of the channel's details), not its name"
                    )
        try:
            data = _File.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {_problem(exc)}") from None
        base = data.defaults.given() if data.defaults else {}
        default = ChannelSettings(**base)
        overrides = {cid: ChannelSettings(**{**base, **(layer.given() if layer else {})}) for cid, layer in (data.channels or {}).items()}
        return cls(default, overrides, source=source)

    def get(self, channel: str | None) -> ChannelSettings:
        return self.overrides.get(channel, self.default) if channel else self.default

    def summary(self) -> dict:
        """For a start-up log line."""
        return {
            "file": self.source, "listed": len(self.overrides), "default_answer": self.default.answer,
            "answered": sum(c.answer for c in self.overrides.values()), "ephemeral": sum(c.ephemeral for c in self.overrides.values()),
        }


# -- reading the file ---------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML where a key given twice in one mapping is an error (PyYAML
    keeps the last one silently: a copied channel block whose id was not
    changed would override the first). Merge keys (`<<: *anchor`) still work."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    dup = key in seen
                    seen.add(key)
                except TypeError:  # unhashable: the base class says so
                    break
                if dup:
                    raise _Duplicate(key, key_node.start_mark)
        return super().construct_mapping(node, deep)


class _Duplicate(Exception):
    def __init__(self, key, mark):
        super().__init__(key)
        self.key, self.mark = key, mark


def _read(path: Path, where: str):
    try:
        if path.is_dir():
            raise ConfigError(f"{where}: {path} is a folder, not a file (CHSM_CHANNELS_FILE)")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{where}: larger than {MAX_FILE_BYTES // 1024} KB; is CHSM_CHANNELS_FILE the right file?")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{where}: not found at {path} (CHSM_CHANNELS_FILE)") from None
    except PermissionError:
        raise ConfigError(f"{where}: cannot be read at {path} (permission denied)") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read at {path} ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text; is CHSM_CHANNELS_FILE the right file?") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except _Duplicate as exc:
        raise ConfigError(f"{where}: line {exc.mark.line + 1}: {exc.key!r} is given twice in the same block") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"{where}: {at}not valid YAML: {_one_line(exc.problem or exc.context or 'syntax error')}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {_one_line(str(exc))}") from None


# -- one line for pydantic's errors ---------------------------------------------------------

KNOWN = {"": TOP_KEYS, "layer": tuple(_Layer.model_fields)}


def _problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{loc}: {_say(first)}{more}"


def _say(err: ErrorDetails) -> str:
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    if kind == "extra_forbidden":
        known = TOP_KEYS if len(loc) == 1 else KNOWN["layer"]
        near = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        return f"unknown setting{hint} (known: {', '.join(known)})"
    if kind in ("model_type", "dict_type"):
        what = "channel ids, each with its settings" if loc == ("channels",) else "settings (answer, followups, replies, oncall)"
        return f"must be a block of {what}, not {_kind(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, not {_shown(value)}"
    if kind == "literal_error":
        return f"must be {err.get('ctx', {}).get('expected', 'one of the allowed values')}, not {_shown(value)}"
    if kind == "string_type":
        return f"must be text, not {_shown(value)}"
    if kind == "value_error":
        return _one_line(str(err.get("ctx", {}).get("error", err["msg"])))
    return _one_line(err["msg"].replace("Input should be", "must be")) + f", not {_shown(value)}"


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of settings"
    return _shown(value)


def _shown(value) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
