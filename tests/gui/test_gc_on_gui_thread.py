"""Cycles are collected on the GUI thread's timer, never by chance on another thread."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject

from pypidesk.gui.gc_on_gui_thread import GuiThreadGarbageCollector


class Node(QObject):
    partner: object = None


def make_cycle() -> weakref.ref[Node]:
    node = Node()
    node.partner = node  # a cycle through a QObject's Python wrapper
    return weakref.ref(node)


def test_automatic_collection_is_off_while_started_and_restored_after(qapp: object) -> None:
    assert gc.isenabled()
    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        assert not gc.isenabled()
    finally:
        collector.stop()
    assert gc.isenabled()


def test_check_collects_once_a_threshold_is_crossed(qapp: object) -> None:
    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        gc.collect()
        assert collector.check() == 0  # nothing pending: nothing done
        node = make_cycle()
        assert node() is not None  # automatic collection is off: the cycle stays
        # Live allocations push generation 0 over its threshold.
        junk = [[] for _ in range(gc.get_threshold()[0] + 10)]
        assert collector.check() > 0
        assert node() is None
        del junk
    finally:
        collector.stop()


def test_stop_leaves_collection_off_if_it_was_off(qapp: object) -> None:
    gc.disable()
    try:
        collector = GuiThreadGarbageCollector()
        collector.start()
        collector.stop()
        assert not gc.isenabled()
    finally:
        gc.enable()
