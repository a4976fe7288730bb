"""Block Kit replies, readable on a phone, within Slack's limits (50 blocks,
3,000 characters a section, 40,000 a message). `format_*` return
(text, blocks); the plain text carries the titles for notifications and
screen readers."""

import json
import re

from bot.answer import Reply
from bot.models import Answer, AskResult, TriageResult
from bot.slack import buttons

MAX_BLOCKS = 50
MAX_SECTION = 2900  # under Slack's 3,000 with room for a continuation mark
MAX_FINDINGS_SHOWN = 6
FULL_FIXES = 3  # findings shown with their whole fix; later ones with why + commands
SIGNAL_NAMES = {"regex": "rule", "keyword": "keyword", "semantic": "semantic"}
HELP = (
    "*chsm-bot* answers Azure Cloud HSM errors from Microsoft's docs, with the fix, the commands and a link.\n"
    "• `@chsm-bot <question or pasted error>` in a channel: I answer in the thread.\n"
    "• `/chsm <question>`: an answer only you see, with a button to share it.\n"
    "• Send me a DM with a pasted log or attached `.log`/`.txt`/`.gz` files: I triage every distinct problem.\n"
    "Examples:\n"
    "• `/chsm C_Login failed with error code: 0xa3`\n"
    "• `/chsm how do I run azcloudhsm_client as a service`\n"
    "• `@chsm-bot C_Initialize() failed with 00000005 (Failed to connect socket)`\n"
    "Answers come only from the docs; when nothing fits I say so instead of guessing."
)
TRIAGE_HOW = (
    "To triage a log, send me a *direct message* with the log pasted, or attach the files "
    "(`.log`, `.txt`, `text/*`, gzip'd logs; up to {max_files} files, {max_mb} MB each). "
    "I reply in the DM's thread with every distinct problem and its fix."
)


ATTACHED = "The full report is attached as a file."  # true only when the surface uploads the file

def esc(text: str) -> str:
    """Slack reads <...> as links and mentions: doc text such as `<username>`
    and pasted log lines must be escaped before they go into mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(md: str) -> str:
    """The docs' Markdown as Slack mrkdwn: links, bold, headings, fences."""
    out, in_code = [], False
    for line in esc(md).splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            out.append("```")
            continue
        if in_code:
            out.append(line.strip() if line.startswith("   ") else line)
            continue
        line = re.sub(r"^\s*&gt;\s?", "│ ", line)  # a quoted callout, escaped above
        line = re.sub(r"^\s*#{1,6}\s+(.*)$", r"*\1*", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"*\1*", line)
        line = re.sub(r"!?\[([^\]]+)\]\(([^)\s]+)\)", r"<\2|\1>", line)
        line = re.sub(r"^(\s*)1\. ", r"\1• ", line)
        out.append(line)
    return "\n".join(out).strip()


def _split(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Cut at paragraph ends, never inside a code block if it can be helped."""
    parts, cur = [], ""
    for para in re.split(r"\n(?=\S)", text):
        if len(cur) + len(para) + 1 > limit and cur:
            parts.append(cur)
            cur = ""
        while len(para) > limit:
            parts.append(para[:limit])
            para = para[limit:]
        cur = f"{cur}\n{para}" if cur else para
    if cur:
        parts.append(cur)
    # A part that opens a fence it does not close gets closed, and the next reopened.
    fixed, carry = [], False
    for p in parts:
        if carry:
            p = "```\n" + p
        carry = p.count("```") % 2 == 1
        fixed.append(p + ("\n```" if carry else ""))
    return fixed


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _signals(a: Answer) -> str:
    return " + ".join(SIGNAL_NAMES.get(s, s) for s in a.matched_by)


def _secret_warning(redacted: int, in_channel: bool) -> dict | None:
    if not redacted:
        return None
    where = "This was posted in a channel, so *rotate that credential now*." if in_channel else "Consider rotating any credential you pasted."
    return _context(f":warning: I masked {redacted} secret(s) in your text and never repeat them. {where}")


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict:
    b = {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True}, "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def _actions(query: str, a: Answer | None, share: bool, stash: buttons.Stash | None) -> dict:
    eid = a.id if a else None
    value = buttons.encode(query, eid, stash=stash)
    elements = []
    if share:
        elements.append(_button("Share in channel", buttons.SHARE, value, "primary"))
    if a:
        elements += [_button(":thumbsup: Helpful", buttons.HELPFUL, value), _button(":thumbsdown: Not helpful", buttons.NOT_HELPFUL, value)]
    elements.append(_button("Still stuck", buttons.STUCK, buttons.encode(query, eid, a.title if a else "", stash=stash)))
    return {"type": "actions", "elements": elements}


def answer_blocks(a: Answer) -> list[dict]:
    head = f"*<{a.url}|{esc(a.title)}>*"
    blocks = [_section(head), _context(f"{esc(a.section)} · matched by {_signals(a)} · score {a.score:.2f}" + (f" · matched `{esc(a.evidence[0][:150])}`" if a.evidence else ""))]
    blocks += [_section(p) for p in _split(mrkdwn(a.fix))]
    return blocks


def format_ask(r: AskResult, *, in_channel: bool, share: bool = False, with_buttons: bool = True, stash: buttons.Stash | None = None) -> tuple[str, list[dict]]:
    blocks: list[dict] = []
    stash = buttons.once(stash)
    warn = _secret_warning(r.redacted, in_channel)
    if r.scope is not None:
        text = f"This looks like {r.scope.product}; these docs cover Azure Cloud HSM."
        blocks.append(_section(f"This looks like *{esc(r.scope.product)}*; these docs cover Azure Cloud HSM. See <{r.scope.url}|its docs>."))
        if warn:
            blocks.append(warn)
        if with_buttons:
            blocks.append(_actions(r.query, None, False, stash))
        return text, blocks
    if r.abstained:
        text = "No confident answer in the Cloud HSM docs for that."
        lines = [f"{text} I won't guess. Try the exact error text, or see `/chsm help`."]
        if r.answers:
            lines.append("Closest entries, as suggestions only:")
            lines += [f"• <{a.url}|{esc(a.title)}>" for a in r.answers]
        blocks.append(_section("\n".join(lines)))
        if warn:
            blocks.append(warn)
        if with_buttons:
            blocks.append(_actions(r.query, None, False, stash))
        return text, blocks
    best, rest = r.answers[0], r.answers[1:]
    blocks += answer_blocks(best)
    if rest:
        blocks.append(_context("See also: " + " · ".join(f"<{a.url}|{esc(a.title)}>" for a in rest)))
    if warn:
        blocks.append(warn)
    if with_buttons:
        blocks.append(_actions(r.query, best, share, stash))
    text = "Cloud HSM: " + best.title + ("" if not rest else " (see also: " + "; ".join(a.title for a in rest) + ")")
    return text, _fit(blocks)


def format_triage(r: TriageResult, *, described: str, in_channel: bool, stash: buttons.Stash | None = None) -> tuple[str, list[dict], bool]:
    """The reply and whether the full report must be attached as a file. The
    triage's notes (what was skipped, where a budget stopped it) come first."""
    stash = buttons.once(stash)
    known = len(r.findings)
    # File names are the user's: escaped, so "<!channel>.log" pings nobody.
    summary = f"Triage of {esc(described)}: {r.lines} lines, {known} known problem(s), {len(r.unmatched)} unexplained error line(s)."
    blocks = [_section(f"*{summary}*")]
    for n in r.notes:
        blocks.append(_context(f":information_source: {esc(n)}"))
    warn = _secret_warning(r.redacted, in_channel)
    if warn:
        blocks.append(warn)
    shown = r.findings[:MAX_FINDINGS_SHOWN]
    for i, f in enumerate(shown, 1):
        a = f.answer
        blocks.append({"type": "divider"})
        blocks.append(_section(f"*{i}. <{a.url}|{esc(a.title)}>*\nline {f.line} (×{f.count}): `{esc(f.text[:300])}`"))
        blocks.append(_context(f"matched by {_signals(a)} · score {a.score:.2f}"))
        if i <= FULL_FIXES:
            blocks += [_section(p) for p in _split(mrkdwn(a.fix))]
        else:  # past the first few, the gist: why and the commands
            cmds = "\n".join(f"```{esc(c)}```" for c in a.commands[:3])
            blocks.append(_section(_split(f"{esc(a.why)}\n{cmds}".strip())[0]))
        blocks.append(_actions(f.text, a, False, stash))
    if r.unmatched:
        lines = [f"• line {u.line} (×{u.count}): `{esc(u.text[:200])}`" for u in r.unmatched[:5]]
        blocks.append({"type": "divider"})
        blocks.append(_section("*Error lines no doc entry explains:*\n" + "\n".join(lines)))
    if not r.findings and not r.unmatched:
        blocks.append(_section("No error-looking lines found. If something is wrong, paste the exact error text or ask `/chsm <question>`."))
    attach = known > MAX_FINDINGS_SHOWN or len(r.unmatched) > 5
    if attach:
        blocks.append(_context(ATTACHED))
    titles = "; ".join(f.answer.title for f in r.findings[:MAX_FINDINGS_SHOWN])
    text = summary + (f" {titles}" if titles else "")
    return text[:3000], _fit(blocks), attach


def _fit(blocks: list[dict]) -> list[dict]:
    """Keep under 50 blocks and 40,000 characters, dropping from the fix's tail."""
    while len(blocks) > MAX_BLOCKS or len(json.dumps(blocks)) > 38_000:
        drop = next((i for i in range(len(blocks) - 2, 0, -1) if blocks[i]["type"] == "section"), None)
        if drop is None:
            break
        del blocks[drop]
    return blocks


def format_notice(text: str) -> tuple[str, list[dict]]:
    """A plain sentence: busy, nothing readable, something failed."""
    return text[:3000], [_section(esc(text)[:MAX_SECTION])]


def format_help() -> tuple[str, list[dict]]:
    return "chsm-bot help", [_section(HELP)]


def format_reply(reply: Reply, *, in_channel: bool, share: bool = False, stash: buttons.Stash | None = None) -> tuple[str, list[dict], str | None]:
    """A surface-neutral Reply as (plain text, blocks, full report to attach or None)."""
    if reply.kind == "help":
        return (*format_help(), None)
    if reply.kind == "ask" and reply.ask is not None:
        return (*format_ask(reply.ask, in_channel=in_channel, share=share, stash=stash), None)
    if reply.kind == "triage" and reply.triage is not None:
        text, blocks, attach = format_triage(reply.triage, described=reply.described, in_channel=in_channel, stash=stash)
        return text, blocks, (format_triage_file(reply.triage) if attach else None)
    return (*format_notice(reply.notice or "Sorry, something went wrong on my side. Try again in a minute."), None)


def format_triage_file(r: TriageResult) -> str:
    from bot.render.text import Style, format_triage as plain

    return plain(r, Style(False))
