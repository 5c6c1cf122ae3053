"""Upload threads: results come back, and a cancelled caller waits for the thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

from pypidesk.index.upload.threads import in_upload_thread


async def test_the_result_and_the_exception_come_back() -> None:
    assert await in_upload_thread(lambda: threading.current_thread().name) != (
        threading.main_thread().name
    )

    def fails() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await in_upload_thread(fails)


async def test_a_cancelled_caller_waits_for_the_thread_to_end() -> None:
    started = threading.Event()
    release = threading.Event()
    finished: list[str] = []

    def store() -> None:
        started.set()
        release.wait(10)
        finished.append("stored")

    task = asyncio.create_task(in_upload_thread(store))
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # still waiting for the thread
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished == ["stored"]
