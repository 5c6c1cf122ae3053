"""Asking caching proxies to drop the pages a write changed (``serve --purge-url``).

A proxy in front of the index keeps pages for a day, as PyPI's CDN does,
and PyPI purges its CDN by surrogate key on every write; so does this. Two
kinds of proxy are told:

- by key (``--purge-url``, Varnish with the xkey module, or anything that
  speaks the same): one ``PURGE`` request per write, the keys in its
  ``Surrogate-Key`` header; the proxy drops every page tagged with one.
- by URL (``--purge-path-url``, nginx with the cache-purge module): one
  ``GET <purge URL><path>`` per page, once for each variant the proxy keeps
  apart (see packaging/caching-proxy/nginx.conf, which keys its cache the
  same way: by the Simple API format for /simple/ pages).

A purge never fails the write that caused it: the requests go out from one
thread of their own, failures are logged and retried later. The write's
answer waits for the first attempt, briefly (:data:`WAIT_SECONDS`), so that a
client that reads right after its upload already gets the new page from
the proxy; a proxy that is slow or down costs a write that wait at most.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import httpx

from pypidesk.index.read.negotiation import OFFERS
from pypidesk.index.read.surrogate import keys_of, paths_of
from pypidesk.index.records.changes import ChangedProject

log = logging.getLogger("pypidesk.index.purge")

# How long a write's answer waits for the proxies to confirm a purge. A proxy
# on the same network answers in well under a millisecond.
WAIT_SECONDS = 0.1
# Waits before the second, third, ... attempt of a failed purge; then it is given up.
RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0, 600.0)
TIMEOUT_SECONDS = 5.0
# A by-URL purge is several requests; sent side by side they cost about one's time.
PARALLEL_REQUESTS = 8


@dataclasses.dataclass(frozen=True, slots=True)
class PurgeRequest:
    """One HTTP request to a proxy; ``accepted`` are the statuses that mean done."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    accepted: frozenset[int]

    def describe(self) -> str:
        return f"{self.method} {self.url} {dict(self.headers)}"


def key_requests(purge_url: str, changes: Sequence[ChangedProject]) -> list[PurgeRequest]:
    """One ``PURGE`` carrying every changed page's surrogate key (varnish.vcl)."""
    keys = " ".join(keys_of(changes))
    return [PurgeRequest("PURGE", purge_url, (("Surrogate-Key", keys),), frozenset({200}))]


def path_requests(purge_url: str, changes: Sequence[ChangedProject]) -> list[PurgeRequest]:
    """A request per page and variant (nginx.conf); 404 means it was not cached."""
    base = purge_url.rstrip("/")
    requests = []
    for path in paths_of(changes):
        formats = OFFERS if path.startswith("/simple/") else OFFERS[:1]
        for accept in formats:
            headers = (("Accept", accept),)
            requests.append(PurgeRequest("GET", base + path, headers, frozenset({200, 404})))
    return requests


RequestBuilder = Callable[[str, Sequence[ChangedProject]], list[PurgeRequest]]


@dataclasses.dataclass(eq=False)
class _Job:
    """The requests of one write still owed to one proxy."""

    requests: list[PurgeRequest]
    first_attempt: Callable[[], None] | None
    attempt: int = 0


class Purger:
    """Sends purges from a thread of its own; see the module docstring.

    ``key_urls`` and ``path_urls`` are the proxies (``--purge-url`` and
    ``--purge-path-url``). :meth:`after_commit` is the hook the database
    calls with what each committed write changed.
    """

    def __init__(
        self,
        key_urls: Iterable[str] = (),
        path_urls: Iterable[str] = (),
        *,
        wait: float = WAIT_SECONDS,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._targets: list[tuple[str, RequestBuilder]] = [
            *((url, key_requests) for url in key_urls),
            *((url, path_requests) for url in path_urls),
        ]
        self.wait = wait
        self._retry_delays = tuple(retry_delays)
        self._client = httpx.Client(
            timeout=timeout, limits=httpx.Limits(max_keepalive_connections=PARALLEL_REQUESTS)
        )
        self._senders = ThreadPoolExecutor(PARALLEL_REQUESTS, thread_name_prefix="pypidesk-purge")
        self._condition = threading.Condition()
        self._ready: collections.deque[_Job] = collections.deque()
        # (due time, tie-breaker, job) of failed purges waiting for their next attempt.
        self._later: list[tuple[float, int, _Job]] = []
        self._order = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="pypidesk-purge", daemon=True)
        self._thread.start()

    def submit(self, changes: Sequence[ChangedProject]) -> Future[None]:
        """Queue the purge of ``changes`` at every proxy; resolved after the first attempts."""
        done: Future[None] = Future()
        if not changes or not self._targets:
            done.set_result(None)
            return done
        remaining = len(self._targets)
        lock = threading.Lock()

        def attempted() -> None:
            nonlocal remaining
            with lock:
                remaining -= 1
                finished = remaining == 0
            if finished:
                done.set_result(None)

        with self._condition:
            if self._closed:
                raise RuntimeError("the purger is closed")
            for url, build in self._targets:
                self._ready.append(_Job(build(url, changes), attempted))
            self._condition.notify()
        return done

    def after_commit(self, changes: Sequence[ChangedProject]) -> None:
        """Purge ``changes``, waiting at most :attr:`wait` seconds for the proxies."""
        try:
            self.submit(changes).result(timeout=self.wait)
        except FutureTimeout:
            log.warning("caching proxies did not confirm a purge within %.3f s", self.wait)

    def close(self) -> None:
        """Stop the thread; purges still waiting for a retry are logged and dropped."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join()
        self._senders.shutdown()
        self._client.close()
        dropped = len(self._ready) + len(self._later)
        if dropped:
            log.error("%d purges not sent: the server stopped before they succeeded", dropped)

    def _run(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                return
            self._attempt(job)

    def _next_job(self) -> _Job | None:
        with self._condition:
            while not self._closed:
                if self._ready:
                    return self._ready.popleft()
                now = time.monotonic()
                if self._later and self._later[0][0] <= now:
                    return heapq.heappop(self._later)[2]
                timeout = self._later[0][0] - now if self._later else None
                self._condition.wait(timeout)
            return None

    def _attempt(self, job: _Job) -> None:
        failed = []
        problems = []
        outcomes = self._senders.map(self._send, job.requests)
        for request, problem in zip(job.requests, outcomes, strict=True):
            if problem is not None:
                failed.append(request)
                problems.append(problem)
        if job.first_attempt is not None:
            job.first_attempt()
            job.first_attempt = None
        if not failed:
            if job.attempt:
                log.info("purge succeeded at attempt %d", job.attempt + 1)
            return
        if job.attempt >= len(self._retry_delays):
            log.error(
                "gave up purging after %d attempts (%s): %s; pages may stay stale until "
                "they expire",
                job.attempt + 1,
                problems[0],
                failed[0].describe(),
            )
            return
        delay = self._retry_delays[job.attempt]
        log.warning(
            "purge failed (%s): %s; retrying in %g s", problems[0], failed[0].describe(), delay
        )
        job.requests = failed
        job.attempt += 1
        with self._condition:
            heapq.heappush(self._later, (time.monotonic() + delay, next(self._order), job))

    def _send(self, request: PurgeRequest) -> str | None:
        """None if the proxy did the purge, else what went wrong."""
        try:
            response = self._client.request(
                request.method, request.url, headers=list(request.headers)
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code not in request.accepted:
            return f"HTTP {response.status_code}"
        return None
