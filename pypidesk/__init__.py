"""pypidesk: a desktop app for Python package maintainers, and the index server it bundles."""

__version__ = "0.1.0"
