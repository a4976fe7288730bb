"""Errors meant for the user: each carries a one-line reason.

    ChsmError
    ├── UsageError        exit 2: the call's words are off
    ├── InputError        exit 1: the input can't be read (binary, too large, missing)
    ├── IndexError_       exit 1: the index can't be built or loaded
    ├── ConfigError       exit 1: a missing or malformed setting (tokens, paths)
    └── EngineNotReady    the bot's index is still loading, or failed to load
"""


class ChsmError(Exception):
    exit_code = 1


class UsageError(ChsmError):
    exit_code = 2


class InputError(ChsmError):
    pass


class IndexError_(ChsmError):
    pass


class ConfigError(ChsmError):
    pass


class EngineNotReady(ChsmError):
    """The server's engine is loading or failed to load; the message is safe to
    show a user (no paths, no exception text)."""
