"""Microsoft Learn YamlMime:FAQ files -> one entry per question."""

import re
from pathlib import Path

from bot import yamltext

from bot.corpus.text import clean_command, make_entry, repair, slug, unique_id
from bot.models import Entry

_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def is_faq(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("### YamlMime:FAQ")


def parse_faq(path: Path, doc: str, base_url: str) -> list[Entry]:
    data = yamltext.parse(repair(path.read_text(encoding="utf-8", errors="replace"))) or {}
    doc_title = str(data.get("title") or doc)
    entries: list[Entry] = []
    used: set[str] = set()
    for section in data.get("sections") or []:
        name = str(section.get("name") or doc_title).strip()
        for qa in section.get("questions") or []:
            title = " ".join(str(qa.get("question", "")).split())
            answer = str(qa.get("answer", ""))
            if not title or not answer.strip():
                continue
            anchor = slug(title)
            entry = make_entry(
                entry_id=unique_id(doc, anchor, name, used),
                title=title,
                section=name,
                doc=doc,
                url=f"{base_url}{path.stem}#{anchor}",
                kind="faq",
                context=f"{doc_title} > {name}",
                body_md=answer,
                commands=[c for c in (clean_command(m) for m in _FENCE.findall(answer)) if c],
                base_url=base_url,
            )
            if entry:
                entries.append(entry)
    return entries
