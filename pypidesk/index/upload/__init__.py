"""PyPI's legacy upload API (``POST /legacy/``): validation, storage, records.

What PyPI does on an upload, and in which order, is written down in
docs/pypi-behaviour.md ("Upload"); comments here cite its numbered checks as
"upload check N".
"""
