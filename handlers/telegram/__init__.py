"""Telegram adapter (python-telegram-bot): handlers, keyboards and rendering."""
