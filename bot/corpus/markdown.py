"""Markdown documents -> entries.

One rule for every document: an entry starts at each heading of level 1-3
and holds everything down to the next such heading, so level-4 parts (Linux
and Windows variants) stay inside their entry. The entry's section is the
enclosing level-2 heading. Headings come from markdown-it's tokens, so a `#`
comment inside a code fence never starts an entry.
"""

from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot import yamltext
from bot.corpus.text import clean_command, make_entry, repair, slug, unique_id
from bot.models import Entry

_MD = MarkdownIt("commonmark")
SPLIT_LEVEL = 3


def _inline_text(tok: Token) -> str:
    """A heading's text as the reader sees it: no tags, no escapes, no backticks."""
    parts = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            try:
                meta = yamltext.parse(text[4:end]) or {}
            except yaml.YAMLError:
                meta = {}
            body_start = text.find("\n", end + 4) + 1
            return (meta if isinstance(meta, dict) else {}), text[body_start:]
    return {}, text


def doc_kind(path: Path, meta: dict) -> str:
    topic = str(meta.get("ms.topic", ""))
    if "troubleshoot" in topic or "troubleshoot" in path.stem.lower():
        return "troubleshooting"
    if topic == "faq":
        return "faq"
    return "article"


def parse_markdown(path: Path, doc: str, base_url: str) -> list[Entry]:
    meta, text = _front_matter(repair(path.read_text(encoding="utf-8", errors="replace")))
    kind = doc_kind(path, meta)
    lines = text.splitlines()
    tokens = _MD.parse(text)

    headings = []  # (line, level, text)
    fences = []  # (line, content)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            headings.append((tok.map[0], int(tok.tag[1]), _inline_text(tokens[i + 1])))
        elif tok.type in ("fence", "code_block") and tok.map:
            fences.append((tok.map[0], tok.content))

    starts = [(ln, lvl, t) for ln, lvl, t in headings if lvl <= SPLIT_LEVEL]
    doc_title = next((t for _, lvl, t in headings if lvl == 1), str(meta.get("title", doc)))
    entries: list[Entry] = []
    used_ids: set[str] = set()
    section = doc_title
    h2 = h3 = ""
    for n, (line, level, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        if level == 2:
            section, h2, h3 = title, title, ""
        elif level == 3:
            h3 = title
        body_md = "\n".join(lines[line + 1 : end])
        if title.lower() in ("related content", "next steps"):
            continue  # lists of links: nothing to answer with
        anchor = slug(title)
        path_titles = [t for t in (doc_title, h2 if level >= 2 else "", h3 if level == 3 else "") if t]
        entry = make_entry(
            entry_id=unique_id(doc, anchor, section, used_ids),
            title=title,
            section=section,
            doc=doc,
            url=f"{base_url}{path.stem}#{anchor}" if level > 1 else f"{base_url}{path.stem}",
            kind=kind,
            context=" > ".join(dict.fromkeys(path_titles)),
            body_md=body_md,
            commands=[c for c in (clean_command(code) for ln, code in fences if line < ln < end) if c],
            base_url=base_url,
        )
        if entry:
            entries.append(entry)
    return entries
