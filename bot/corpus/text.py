"""Shared text handling for corpus files: slugs, cleaning, tags, error strings."""

import re
import unicodedata

import ftfy
import re2

from bot.lexicon import ERRORISH

from bot.models import Entry

LEARN = "https://learn.microsoft.com"


def slug(heading: str) -> str:
    """learn.microsoft.com's anchor rule: lower-case, punctuation other than
    `-` and `_` dropped, spaces turned into `-`."""
    out = []
    for ch in heading.strip().lower():
        if ch == " ":
            out.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in "LN":
            out.append(ch)
    return "".join(out)


def repair(text: str) -> str:
    """Byte-order marks and mojibake (UTF-8 read as cp1252) repaired."""
    return ftfy.fix_encoding(text.replace("\ufeff", ""))


_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000]")


def clean_command(code: str) -> str:
    """A code fence as a runnable command: exotic spaces made plain, trailing
    blanks dropped (a copied narrow no-break space breaks a shell line)."""
    code = _ODD_SPACES.sub(" ", repair(code))
    return "\n".join(line.rstrip() for line in code.strip("\n").splitlines()).strip()


_CALLOUT = re.compile(r"^(\s*>\s*)\[!(NOTE|IMPORTANT|WARNING|CAUTION|TIP)\]\s*$", re.M)
_IMAGE = re.compile(r"^\s*:::image\b.*?:::\s*$", re.M)
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\([^)]*\)\]")
_REL_LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)\s]+?)(?:\.md)?(#[^)\s]*)?\)")


def clean_markdown(md: str, base_url: str) -> str:
    """Learn-specific markdown made plain: callouts, images, includes, links."""
    md = _CALLOUT.sub(lambda m: f"{m.group(1)}**{m.group(2).title()}:**", md)
    md = _IMAGE.sub("", md)
    md = _INCLUDE.sub("", md)

    def link(m: re.Match) -> str:
        target, anchor = m.group(1), m.group(2) or ""
        if target.startswith("/"):
            return f"]({LEARN}{target}{anchor})"
        if base_url.startswith("http"):
            return f"]({base_url}{target}{anchor})"
        return m.group(0)

    md = _REL_LINK.sub(link, md)
    md = _ODD_SPACES.sub(" ", md)
    md = "\n".join(line.rstrip() for line in md.splitlines())
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip()


_FENCE = re.compile(r"```.*?```", re.S)
_MD_SYNTAX = re.compile(r"[*_`>#]|\[([^\]]*)\]\([^)]*\)")


def plain(md: str) -> str:
    """Markdown to one line of plain text (code fences dropped)."""
    text = _FENCE.sub(" ", md)
    text = _MD_SYNTAX.sub(lambda m: m.group(1) or "", text)
    return re.sub(r"\s+", " ", text).strip()


def first_paragraph(md: str, limit: int = 300) -> str:
    for para in re.split(r"\n\s*\n", md):
        para = para.strip()
        if para and not para.startswith("```"):
            text = plain(para)
            if len(text) > limit:
                text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
            return text
    return ""


_QUOTED = re.compile(r"\"([^\"]{6,200})\"")
# Text just before a quote that says the quote is a message the user sees.
_INTRODUCED = re.compile(r"(?i)(?:error|message|says?|returns?|shows?|appears?|output)\W{0,12}$")


def error_strings(title: str, body: str, commands: list[str]) -> list[str]:
    """Error strings an entry quotes: quoted in its heading, quoted error-like
    text in its body, and error-like lines in its code fences."""
    found = [q.strip() for q in _QUOTED.findall(title)]
    prose = _FENCE.sub(" ", body)
    found += [
        m.group(1).strip(" `,.")
        for m in _QUOTED.finditer(prose)
        if ERRORISH.search(m.group(1)) or _INTRODUCED.search(prose[max(0, m.start() - 40) : m.start()])
    ]
    for cmd in commands:
        for line in cmd.splitlines():
            line = re.sub(r"^Error Message:", "", line).strip()
            # Output, not code: an ORA- message or a CKR_ name with its number.
            if re.search(r"ORA-\d{4,5}:|\bCKR_[A-Z_]+\(\d+\)", line):
                found.append(line)
    seen, out = set(), []
    for s in found:
        if s.lower() not in seen:
            seen.add(s.lower())
            out.append(s)
    return out


# Component and platform tags: (tag, pattern over title + body).
_TAGS = [
    ("PKCS#11", r"pkcs\s*#?\s*11|C_Login|C_Initialize|cryptoki"),
    ("JCE", r"\bJCE\b|Java Cryptography|LoginManager"),
    ("OpenSSL engine", r"openssl engine|azcloudhsm_openssl"),
    ("KSP/CNG", r"\bKSP\b|\bCNG\b"),
    ("SQL EKM", r"\bEKM\b|SQL Server|\bTDE\b"),
    ("NGINX", r"\bnginx\b"),
    ("AD CS", r"\bAD ?CS\b|certificate services"),
    ("client daemon", r"azcloudhsm_client|client daemon"),
    ("mgmt util", r"azcloudhsm_mgmt_util|azcloudhsm_util"),
    ("Linux", r"\blinux\b|ubuntu|\bRHEL\b|systemctl|\bsudo\b"),
    ("Windows", r"\bwindows\b|\.exe\b|\.dll\b|\.msc\b|\bMSI\b"),
]
_TAGS_RX = [(tag, re2.compile("(?i)" + p)) for tag, p in _TAGS]  # RE2: 7x faster than re over whole articles


def tags(text: str) -> list[str]:
    return [tag for tag, rx in _TAGS_RX if rx.search(text)]


def unique_id(doc: str, anchor: str, section: str, used: set[str]) -> str:
    """`doc#anchor`; a heading repeated in another section gets `@section`."""
    entry_id = f"{doc}#{anchor}"
    if entry_id in used:
        entry_id = f"{doc}#{anchor}@{slug(section)}"
    used.add(entry_id)
    return entry_id


def make_entry(*, entry_id: str, title: str, section: str, doc: str, url: str, kind: str, context: str,
               body_md: str, commands: list[str], base_url: str) -> Entry | None:
    """One way to turn a parsed piece of a document into an Entry; None when
    nothing is left to answer with once the markdown is cleaned."""
    fix = clean_markdown(body_md, base_url)
    if not fix:
        return None
    return Entry(
        id=entry_id,
        title=title,
        section=section,
        doc=doc,
        url=url,
        kind=kind,
        context=context,
        why=first_paragraph(fix),
        fix=fix,
        commands=commands,
        errors=error_strings(title, body_md, commands),
        tags=tags(f"{title}\n{body_md}"),
    )
