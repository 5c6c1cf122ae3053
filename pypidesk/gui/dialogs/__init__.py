"""Dialogs, one per module, each behind an async ``ask(...)`` that tests can replace."""
