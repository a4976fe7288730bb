"""Microsoft Learn YamlMime:FAQ files -> one entry per question."""

import re
from pathlib import Path

import yaml

from bot.corpus.text import clean_command, clean_markdown, error_strings, first_paragraph, repair, slug, tags
from bot.models import Entry

_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def is_faq(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("### YamlMime:FAQ")


def parse_faq(path: Path, doc: str, base_url: str) -> list[Entry]:
    data = yaml.safe_load(repair(path.read_text(encoding="utf-8", errors="replace"))) or {}
    doc_title = str(data.get("title") or doc)
    entries, used = [], set()
    for section in data.get("sections") or []:
        name = str(section.get("name") or doc_title).strip()
        for qa in section.get("questions") or []:
            title = " ".join(str(qa.get("question", "")).split())
            answer = str(qa.get("answer", ""))
            if not title or not answer.strip():
                continue
            fix = clean_markdown(answer, base_url)
            commands = [c for c in (clean_command(m) for m in _FENCE.findall(answer)) if c]
            anchor = slug(title)
            entry_id = f"{doc}#{anchor}"
            if entry_id in used:
                entry_id = f"{doc}#{anchor}@{slug(name)}"
            used.add(entry_id)
            entries.append(
                Entry(
                    id=entry_id,
                    title=title,
                    section=name,
                    doc=doc,
                    url=f"{base_url}{path.stem}#{anchor}",
                    kind="faq",
                    context=f"{doc_title} > {name}",
                    why=first_paragraph(fix),
                    fix=fix,
                    commands=commands,
                    errors=error_strings(title, answer, commands),
                    tags=tags(f"{title}\n{answer}"),
                )
            )
    return entries
