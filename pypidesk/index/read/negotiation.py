"""PEP 691 content negotiation, decided the way Warehouse decides it.

Warehouse asks WebOb for ``acceptable_offers(offers)[0]``: the highest q wins,
a tie goes to the earlier offer (HTML), and nothing acceptable falls back to
HTML. The simple API never answers 406.
"""

from __future__ import annotations

HTML = "text/html"
V1_HTML = "application/vnd.pypi.simple.v1+html"
V1_JSON = "application/vnd.pypi.simple.v1+json"
OFFERS = (HTML, V1_HTML, V1_JSON)


def _parse(header: str) -> list[tuple[str, float, int]]:
    """``(media range, q, specificity)`` for each clause; malformed clauses are dropped."""
    ranges = []
    for clause in header.split(","):
        parts = [part.strip() for part in clause.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        specificity = 0 if main == "*" else 1 if sub == "*" else 2
        ranges.append((media, max(0.0, min(q, 1.0)), specificity))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float, int]]) -> float:
    """The q of the most specific range matching ``offer`` (RFC 9110 section 12.5.1)."""
    main = offer.split("/", maxsplit=1)[0]
    best: tuple[int, float] | None = None
    for media, q, specificity in ranges:
        if media in (offer, f"{main}/*", "*/*") and (best is None or specificity > best[0]):
            best = (specificity, q)
    return best[1] if best else 0.0


def choose(accept: str | None) -> str:
    """The content type to serve for an ``Accept`` header; HTML when in doubt."""
    if not accept:
        return HTML
    ranges = _parse(accept)
    best, best_q = HTML, 0.0
    for offer in OFFERS:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best
