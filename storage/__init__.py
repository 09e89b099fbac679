"""SQLite storage: the only package that holds SQL."""

from storage.db import Database

__all__ = ["Database"]
