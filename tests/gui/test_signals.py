"""Awaiting a signal: resolved by the next emission, and nothing left connected."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from pypidesk.gui.signals import next_emission


class Emitter(QObject):
    fired = Signal(int, str)


async def test_the_next_emission_resolves_with_its_arguments() -> None:
    emitter = Emitter()
    waiting = next_emission(emitter.fired)
    emitter.fired.emit(7, "seven")
    emitter.fired.emit(8, "eight")  # later emissions change nothing
    assert await waiting == (7, "seven")


async def test_a_cancelled_wait_ignores_emissions_and_disconnects() -> None:
    emitter = Emitter()
    waiting = next_emission(emitter.fired)
    assert emitter.receivers("2fired(int,QString)") == 1
    waiting.cancel()
    emitter.fired.emit(1, "before the disconnect runs")
    await asyncio.sleep(0)  # the done callback disconnects
    assert waiting.cancelled()
    assert emitter.receivers("2fired(int,QString)") == 0
