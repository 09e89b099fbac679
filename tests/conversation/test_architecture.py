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


# The Telegram adapter may touch the services only for its plumbing: who is writing (and
# their language, for the flood and error notes), the notice outbox it drains under
# Telegram's limits, the reminder timer it arms, and the group links Telegram reports gone.
TELEGRAM = PACKAGE.parent / "handlers" / "telegram"
PLUMBING = {
    ("people", "resolve"), ("notices", "claim"), ("notices", "finish_many"),
    ("notices", "retry_later"), ("notices", "recover"), ("notices", "move_group"),
    ("notices", "resend_to"), ("notices", "drop_group"), ("people", "addresses"),
    ("people", "reload"), ("reminders", "next_due"), ("clock", "now"),
}


def _service_calls(tree: ast.AST) -> set[tuple[str, str]]:
    """Every `<something>.services.<service>.<method>` or `services.<service>.<method>`."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            owner = node.value.value
            owner_name = (owner.id if isinstance(owner, ast.Name)
                          else owner.attr if isinstance(owner, ast.Attribute)
                          else owner.func.id if isinstance(owner, ast.Call)
                          and isinstance(owner.func, ast.Name) else "")
            if owner_name in ("services", "services_of"):
                found.add((node.value.attr, node.attr))
    return found


def test_the_telegram_adapter_holds_no_flow():
    offenders = []
    for path in sorted(TELEGRAM.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.name}: services.{service}.{method}"
                      for service, method in sorted(_service_calls(tree) - PLUMBING)]
        offenders += [f"{path.name}: {node.name}(turn)" for node in ast.walk(tree)
                      if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
                      and node.args.args and node.args.args[0].arg == "turn"]
    assert offenders == []


def test_the_adapter_check_sees_a_service_call():
    """The check above can fail: a flow-like call in adapter code is found."""
    tree = ast.parse("async def f(context):\n    await services_of(context).ledger.pay()\n"
                     "    await context.services.ledger.confirm_pay()\n")
    assert {("ledger", "pay"), ("ledger", "confirm_pay")} <= _service_calls(tree)
