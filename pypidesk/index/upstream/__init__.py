"""Fall-through to an upstream Simple API index (``serve --upstream``), with PEP 708 metadata."""
