"""What an index was built by: a digest of the code of the build (every
`bot` module it imports, at any depth and inside functions too, read from
source rather than imported, with the data files beside them), the versions
of the other packages that code imports and of the model stack, the Python
version and the model's fingerprint.

The build records it in the manifest as `built_by`. It is not a freshness
check (the corpus hash, the format and the model's fingerprint are: a
changed comment must not rebuild an operator's index); it says whether two
indexes were made by the same code, which is what the tests ask before they
reuse one instead of building it again."""

import ast
import hashlib
import importlib.metadata
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder that holds bot/
BUILD = "bot.search.build"
# Imported by the export in a child process, or by the libraries above.
MODEL_STACK = {"torch", "transformers", "sentence_transformers", "tokenizers", "huggingface_hub", "safetensors", "onnx", "onnxruntime"}


def _module_file(name: str) -> Path | None:
    base = PACKAGE_ROOT.joinpath(*name.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def build_inputs() -> tuple[list[Path], set[str]]:
    """The files of the `bot` modules the build imports, with the data files
    beside them; and the top-level names of the other packages they import."""
    files: set[Path] = set()
    packages: set[str] = set()
    todo, seen = [BUILD], set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # a module's packages run first
            path = _module_file(".".join(parts[:i]))
            if path and path not in seen:
                seen.add(path)
                files.add(path)
                files.update(p for p in path.parent.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc"))
                pkg = ".".join(parts[:i]) if path.name == "__init__.py" else ".".join(parts[: i - 1])
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                    if isinstance(node, ast.Import):
                        found = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        base = node.module or ""
                        if node.level:
                            up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                            base = ".".join(up + ([base] if base else []))
                        found = [base] + [f"{base}.{a.name}" for a in node.names]
                    else:
                        continue
                    for f in found:
                        if f.split(".")[0] == "bot":
                            todo.append(f)
                        elif f:
                            packages.add(f.split(".")[0])
    return sorted(files), packages


def versions(packages: set[str]) -> str:
    dists = importlib.metadata.packages_distributions()
    names = {d for p in packages for d in dists.get(p, ())}
    return "\n".join(sorted(f"{n}=={importlib.metadata.version(n)}".lower() for n in names))


def built_by() -> str:
    from bot.search import embed

    files, packages = build_inputs()
    h = hashlib.sha256(f"{sys.version}\n{versions(packages | MODEL_STACK)}\n{embed.model_fingerprint()}\n".encode())
    for p in files:
        h.update(p.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:24]
