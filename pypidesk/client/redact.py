"""Hide secrets in text bound for a log, a log view or an error message.

The app never logs a token on purpose; this is the net under that rule for
text it does not write itself (the local index's output, a child's error),
where a token pasted into a URL or echoed by a tool could otherwise show up.
"""

from __future__ import annotations

import re

# An API token as PyPI and pypidesk issue them: "pypi-" and a base64url macaroon.
TOKEN_PATTERN = re.compile(r"pypi-[A-Za-z0-9_-]{16,}")
# The password part of credentials in a URL: scheme://user:PASSWORD@host.
URL_PASSWORD_PATTERN = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")
HIDDEN = "(hidden)"


def redact(text: str) -> str:
    """``text`` with every API token and URL password replaced by ``(hidden)``."""
    text = TOKEN_PATTERN.sub("pypi-" + HIDDEN, text)
    return URL_PASSWORD_PATTERN.sub(r"\g<1>" + HIDDEN + "@", text)
