"""Descriptions rendered in child processes: results, failures, time limits, dead children."""

from __future__ import annotations

import concurrent.futures
import io
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from pypidesk.index.upload import render_worker
from pypidesk.index.upload.renderer import RenderBusy, RenderTimeout, WorkerRenderer

# Issue 12: 78 KiB of Markdown that took 17 s to render.
SLOW_MARKDOWN = "# h\n" * 20_000
DEEP_RST = "".join("  " * depth + "- x\n\n" for depth in range(300))


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.01)


@pytest.fixture
def renderer() -> Iterator[WorkerRenderer]:
    renderer = WorkerRenderer(workers=1, timeout=1.0, queue_timeout=0.5)
    yield renderer
    renderer.close()


def test_the_protocol_in_process() -> None:
    requests = io.BytesIO()
    render_worker.write_message(requests, ["*hi*", "text/markdown"])
    render_worker.write_message(requests, [DEEP_RST, "text/x-rst"])
    requests.write(b"\0\0\0\x09[")  # cut short: the server went away
    requests.seek(0)
    answers = io.BytesIO()
    render_worker.serve(requests, answers)
    answers.seek(0)
    assert render_worker.read_message(answers) == [render_worker.READY]
    assert render_worker.read_message(answers) == ["<p><em>hi</em></p>\n"]
    # Nesting 300 deep overflows docutils' recursion: a failed render, not a crash.
    assert render_worker.read_message(answers) == [None]
    with pytest.raises(EOFError):
        render_worker.read_message(answers)


def test_renders_fail_and_are_remembered(renderer: WorkerRenderer) -> None:
    html = renderer.render("Title\n=====\n", "text/x-rst")
    assert html is not None
    assert "<h1>Title" in html
    assert renderer.render("`broken <", "text/x-rst") is None
    [child] = renderer._idle
    child.process.kill()  # remembered outcomes need no child
    child.process.wait()
    assert renderer.render("Title\n=====\n", "text/x-rst") == html
    assert renderer.render("`broken <", "text/x-rst") is None
    assert renderer._idle == [child]


def test_only_the_last_outcomes_are_remembered(renderer: WorkerRenderer) -> None:
    for number in range(40):
        assert renderer.render(f"{number}", "text/plain") == f"{number}"
    assert list(renderer._done) == [(f"{n}", "text/plain") for n in range(8, 40)]


def test_concurrent_renders_of_one_text_share_one_outcome() -> None:
    renderer = WorkerRenderer(workers=1, timeout=0.5, queue_timeout=0.5)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            outcomes = list(
                pool.map(lambda _: _outcome(renderer, SLOW_MARKDOWN, "text/markdown"), range(8))
            )
    finally:
        renderer.close()
    # One render ran out of time; the others waited for it, not for the busy child.
    assert outcomes == [RenderTimeout] * 8


def _outcome(renderer: WorkerRenderer, description: str, content_type: str) -> object:
    try:
        return renderer.render(description, content_type)
    except (RenderTimeout, RenderBusy) as exc:
        return type(exc)


def test_a_render_out_of_time_is_stopped(renderer: WorkerRenderer) -> None:
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        renderer.render(SLOW_MARKDOWN, "text/markdown")
    assert time.monotonic() - started < 3
    assert renderer._busy == set()
    assert renderer._idle == []
    # A fresh child takes the next one.
    assert renderer.render("plain", "text/plain") == "plain"


def test_all_children_busy_for_a_whole_time_limit(renderer: WorkerRenderer) -> None:
    renderer._slots.acquire()  # the one child's slot, held as a long render would
    try:
        with pytest.raises(RenderBusy):
            renderer.render("waits", "text/plain")
    finally:
        renderer._slots.release()


def test_a_child_that_ended_while_idle_is_replaced(renderer: WorkerRenderer) -> None:
    assert renderer.render("one", "text/plain") == "one"
    [child] = renderer._idle
    child.process.kill()
    child.process.wait()
    assert renderer.render("two", "text/plain") == "two"
    assert renderer._idle != [child]


def test_a_child_dying_mid_render_fails_that_render() -> None:
    renderer = WorkerRenderer(workers=1, timeout=60.0)
    outcome: list[str | None] = []
    try:
        thread = threading.Thread(
            target=lambda: outcome.append(renderer.render(SLOW_MARKDOWN, "text/markdown"))
        )
        thread.start()
        wait_until(lambda: bool(renderer._busy))
        [child] = renderer._busy
        child.process.kill()
        thread.join()
    finally:
        renderer.close()
    assert outcome == [None]


def test_closing_stops_busy_children_and_later_ones() -> None:
    renderer = WorkerRenderer(workers=2, timeout=60.0)
    outcome: list[str | None] = []
    thread = threading.Thread(
        target=lambda: outcome.append(renderer.render(SLOW_MARKDOWN, "text/markdown"))
    )
    thread.start()
    wait_until(lambda: bool(renderer._busy))
    renderer.close()
    thread.join()
    assert outcome == [None]
    # After close, a render still answers, and leaves no child behind.
    assert renderer.render("late", "text/plain") == "late"
    assert renderer._idle == []
