"""A corpus folder -> entries. Any folder of Markdown and FAQ YAML files works
the same way: a team can drop its runbooks in beside the Microsoft docs."""

import hashlib
from pathlib import Path

from bot import yamltext
from bot.errors import IndexError_
from bot.models import Entry

# Where each folder is published, for links; bumps to the parser change the
# corpus hash so every index is rebuilt.
SOURCES_FILE = "chsm-sources.yml"
PARSER_VERSION = "3"
_SKIP = {"SOURCES.md", "README.md", "scope.yml"}  # scope.yml: read by the engine, no entries


def corpus_files(corpus_dir: Path) -> list[Path]:
    if not corpus_dir.is_dir():
        raise IndexError_(f"corpus folder not found: {corpus_dir}")
    files = [
        p
        for p in sorted(corpus_dir.rglob("*"))
        if p.is_file() and p.suffix.lower() in (".md", ".yml", ".yaml") and p.name not in _SKIP and p.name != SOURCES_FILE
    ]
    return files


def corpus_hash(corpus_dir: Path) -> str:
    h = hashlib.sha256(PARSER_VERSION.encode())
    for p in corpus_files(corpus_dir) + [corpus_dir / SOURCES_FILE]:
        if p.exists():
            h.update(str(p.relative_to(corpus_dir)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _base_urls(corpus_dir: Path) -> dict[str, str]:
    f = corpus_dir / SOURCES_FILE
    if not f.exists():
        return {}
    data = yamltext.parse(f.read_text(encoding="utf-8")) or {}
    return {str(k): str(v).rstrip("/") + "/" for k, v in data.items()}


def load_corpus(corpus_dir: Path) -> list[Entry]:
    # Here, not at the top: a serving process checks corpus_hash but never
    # parses, and the parsers' imports (markdown-it, ftfy) cost it 0.25 s.
    from bot.corpus.faq import is_faq, parse_faq
    from bot.corpus.markdown import parse_markdown

    bases = _base_urls(corpus_dir)
    entries: list[Entry] = []
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir)
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        # Unpublished runbooks link to their path inside the corpus.
        base = bases.get(folder, f"{rel.parent.as_posix()}/" if folder else "")
        doc = rel.with_suffix("").as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix.lower() == ".md":
            entries += parse_markdown(path, doc, base)
        elif is_faq(text):
            entries += parse_faq(path, doc, base)
    if not entries:
        raise IndexError_(f"no entries found in the corpus folder {corpus_dir}")
    return entries
