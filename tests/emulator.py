"""A small Bot API emulator over real HTTP on 127.0.0.1, for tests that run the bot polling."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.fake_api import BOT_USER, RejectionLog, refused_body


class BotApiEmulator(RejectionLog):
    """Answers like Telegram, refusals included (bot/telegram_limits.py)."""

    def __init__(self) -> None:
        RejectionLog.__init__(self)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.poll_times: list[float] = []  # time.monotonic() of each getUpdates
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._message_id = 500
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def push(self, update: dict[str, Any]) -> None:
        with self._changed:
            update = dict(update, update_id=self._next_update_id)
            self._next_update_id += 1
            self._updates.append(update)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0) -> tuple[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self.calls:
                    if predicate(*call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching call among {[c[0] for c in self.calls]}")
                self._changed.wait(remaining)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return list(self._updates)

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            self.poll_times.append(time.monotonic())
            return self._get_updates(params)
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
            if method in ("sendMessage", "editMessageText"):
                self._message_id += 1
                chat_id = int(params["chat_id"]) if "chat_id" in params else 0
                return {"message_id": int(params.get("message_id") or self._message_id),
                        "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                        "from": BOT_USER, "text": params.get("text", "")}
        return True

    def _handler(self):
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                method = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body).items()}
                for key in ("reply_markup",):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                rejection = emulator.reject(method, params)
                if rejection is not None:
                    status, payload = 400, refused_body(rejection)
                else:
                    result = emulator._answer(method, params)
                    status, payload = 200, json.dumps({"ok": True, "result": result}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot stopped a long poll while shutting down

            def log_message(self, *args: Any) -> None:
                return None

        return Handler
