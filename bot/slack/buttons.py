"""The buttons under an answer: their action ids and what their values hold.
The renderer (bot/render/slack_blocks.py) and the listeners (actions.py)
agree through this module only.

A value is JSON: {"q": masked query, "e": entry id, "t": entry title}. Slack
cuts values at 2,000 characters, so a query that does not fit is kept
server-side (`stash`) and the value carries {"k": key} instead; with no store
at hand the query is shortened until the value fits. Either way the value is
always whole, valid JSON.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

SHARE = "chsm_share"
HELPFUL = "chsm_helpful"
NOT_HELPFUL = "chsm_not_helpful"
STUCK = "chsm_stuck"
VERDICTS = {HELPFUL: "helpful", NOT_HELPFUL: "not_helpful", STUCK: "stuck"}

MAX_VALUE = 2000  # Slack's limit; counted here in UTF-16 units, the stricter reading
MAX_TITLE = 200

Stash = Callable[[str], str | None]  # keeps a query, returns its key (None: could not)
Unstash = Callable[[str], str | None]


@dataclass
class ButtonData:
    query: str = ""
    entry: str | None = None
    title: str = ""


def once(stash: Stash | None) -> Stash | None:
    """A stash that keeps each query once, however many buttons carry it."""
    if stash is None:
        return None
    keys: dict[str, str | None] = {}

    def keep(query: str) -> str | None:
        if query not in keys:
            keys[query] = stash(query)
        return keys[query]

    return keep


def _size(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def encode(query: str, entry: str | None = None, title: str = "", stash: Stash | None = None) -> str:
    base: dict = {"e": entry}
    if title:
        base["t"] = title[:MAX_TITLE]
    value = _dumps({**base, "q": query})
    if _size(value) <= MAX_VALUE:
        return value
    key = stash(query) if stash else None
    if key:
        return _dumps({**base, "k": key})
    q = query
    while _size(value) > MAX_VALUE:  # every character costs at least one unit, so this ends fast
        q = q[: max(0, len(q) - (_size(value) - MAX_VALUE) - 1)]
        value = _dumps({**base, "q": q})
    return value


def decode(value, unstash: Unstash | None = None) -> ButtonData:
    """Whatever Slack sends back; anything malformed reads as empty."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return ButtonData()
    q, key = data.get("q"), data.get("k")
    query = q if isinstance(q, str) else ""
    if not query and isinstance(key, str) and unstash is not None:
        query = unstash(key) or ""
    e, t = data.get("e"), data.get("t")
    entry = e if isinstance(e, str) else None
    title = t if isinstance(t, str) else ""
    return ButtonData(query, entry, title[:MAX_TITLE])
