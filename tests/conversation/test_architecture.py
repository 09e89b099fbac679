"""conversation/ is written once for every channel: it must never reach a messenger library."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import conversation

FORBIDDEN = ("telegram", "handlers", "bot", "aiohttp", "httpx")
PACKAGE = Path(conversation.__file__).parent


def _modules() -> list[str]:
    return ["conversation"] + [
        info.name for info in pkgutil.walk_packages([str(PACKAGE)], prefix="conversation.")
    ]


def test_there_are_modules_to_check():
    assert "conversation.utterances" in _modules()


def test_no_module_imports_a_messenger_or_an_adapter():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            offenders += [f"{path.name}: {name}" for name in names
                          if name.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_module_loads_no_messenger_even_indirectly():
    """In a fresh interpreter, since this one has long imported telegram for other tests."""
    code = (
        "import importlib, sys\n"
        f"for name in {_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parent)
    assert result.stdout.strip() == "[]"
