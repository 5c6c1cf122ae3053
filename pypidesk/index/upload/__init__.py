"""PyPI's legacy upload API (``POST /legacy/``): validation, storage, records."""
