"""Terminal output: title, why, fix, commands, link; colour only on a TTY."""

from bot.models import Answer, AskResult, TriageResult


class Style:
    def __init__(self, colour: bool):
        self.colour = colour

    def _wrap(self, code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if self.colour else s

    def bold(self, s: str) -> str:
        return self._wrap("1", s)

    def dim(self, s: str) -> str:
        return self._wrap("2", s)

    def cyan(self, s: str) -> str:
        return self._wrap("36", s)

    def yellow(self, s: str) -> str:
        return self._wrap("33", s)


def format_fix(fix: str, st: Style) -> str:
    """The fix as the doc has it, commands in place (in order with the steps),
    fence markers dropped and the code set off."""
    out, in_code = [], False
    for line in fix.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        out.append(st.cyan("    " + line.strip()) if in_code else line)
    return "\n".join(out)


def format_answer(a: Answer, st: Style, n: int | None = None) -> str:
    head = f"{n}. " if n else ""
    lines = [st.bold(f"{head}{a.title}"), st.dim(f"   {a.section} · score {a.score:.2f} · matched by {', '.join(a.matched_by)}")]
    if a.evidence:
        lines.append(f"   matched: {a.evidence[0]}")
    lines += ["", format_fix(a.fix, st), "", f"   source: {a.url}"]
    return "\n".join(lines)


def format_ask(r: AskResult, st: Style) -> str:
    out = []
    if r.redacted:
        out.append(st.yellow(f"note: {r.redacted} secret(s) in your text were masked; rotate any credential you shared."))
    if r.scope:
        out.append(f"This looks like {r.scope.product}; these docs cover Azure Cloud HSM. See {r.scope.product}'s docs: {r.scope.url}")
        return "\n".join(out)
    if r.abstained:
        out.append("No confident answer in the docs for that.")
        if r.answers:
            out.append("Closest entries, as suggestions only:")
            out += [f"  - {a.title}\n    {a.url}" for a in r.answers]
        return "\n".join(out)
    best, rest = r.answers[0], r.answers[1:]
    out.append(format_answer(best, st))
    if rest:
        out.append("\n" + st.bold("See also:"))
        out += [f"  - {a.title} ({a.score:.2f})\n    {a.url}" for a in rest]
    return "\n".join(out)


def format_triage(r: TriageResult, st: Style) -> str:
    out = [st.bold(f"Triage of {r.source}: {r.lines} lines, {len(r.findings)} known problem(s), {len(r.unmatched)} unexplained error line(s)")]
    if r.redacted:
        out.append(st.yellow(f"note: {r.redacted} secret(s) were masked; rotate any credential that was in this log."))
    for i, f in enumerate(r.findings, 1):
        out.append("")
        out.append(st.dim(f"line {f.line} (x{f.count}): {f.text}"))
        out.append(format_answer(f.answer, st, i))
    if r.unmatched:
        out.append("\n" + st.bold("Other errors, not covered by the docs (one line per kind, with its count):"))
        out += [f"  line {u.line} (x{u.count}): {u.text}" for u in r.unmatched]
    if not r.findings and not r.unmatched:
        out.append("No error-looking lines found.")
    for note in r.notes:
        out.append(st.yellow(f"note: {note}"))
    return "\n".join(out)
