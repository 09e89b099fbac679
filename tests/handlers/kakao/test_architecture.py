"""The Kakao adapter is thin: it translates and renders, keeps its own plumbing (tokens,
news) in storage, and holds no flow."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conversation.test_architecture import _service_calls

KAKAO = Path(__file__).resolve().parents[3] / "handlers" / "kakao"
# Whether a tap was already committed; the notice outbox it drains into news.
PLUMBING = {("delivery", "already_processed"), ("notices", "claim"),
            ("notices", "finish_many")}


def test_the_kakao_adapter_holds_no_flow_and_no_sql():
    offenders = []
    for path in sorted(KAKAO.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        offenders += [f"{path.name}: services.{service}.{method}"
                      for service, method in sorted(_service_calls(tree) - PLUMBING)]
        offenders += [f"{path.name}: {node.name}(turn)" for node in ast.walk(tree)
                      if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
                      and node.args.args and node.args.args[0].arg == "turn"]
        offenders += [f"{path.name}: SQL" for word in ("SELECT ", "INSERT ", "UPDATE ")
                      if word in source]
    assert offenders == []
    assert len(list(KAKAO.glob("*.py"))) > 5
