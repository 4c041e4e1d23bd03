"""Tests for geo/_worker.py: a read in a child process, bounded in time and memory."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from geo import _worker
from geo.documents.read import read_document
from geo.errors import InputError


def _refusal(*args, seconds: float = 30, memory: int = 2**28, **kwargs) -> InputError:
    with pytest.raises(InputError) as error:
        _worker.run_bounded(*args, seconds=seconds, memory=memory, label="big.pdf", **kwargs)
    return error.value


def test_a_read_past_its_time_is_stopped_and_refused():
    error = _refusal(time.sleep, 60, seconds=1)
    assert str(error) == (
        "Expected big.pdf to be read within 1 s, the limit for one file; it took longer and was "
        "stopped. Upload a smaller part of it (the pages or chapters with the figures)."
    )
    assert (error.code, error.details) == ("read_timeout", {"name": "big.pdf", "seconds": "1"})
    assert multiprocessing.active_children() == []  # the child was killed, not left running


def test_a_read_past_its_memory_is_refused():
    # 16 GiB asked for under a limit of 256 MiB: MemoryError in the child, not in the server.
    error = _refusal(bytearray, 2**34)
    assert error.code == "read_memory"
    assert str(error).startswith("Expected big.pdf to be read within 256 MiB of memory")


def test_a_reader_that_dies_is_refused_with_its_exit_code():
    error = _refusal(os._exit, 3)
    assert (error.code, error.details["code"]) == ("read_stopped", "3")


def test_the_readers_own_refusal_crosses_unchanged():
    error = _refusal(read_document, b"", name="empty.txt")
    assert str(error) == (
        "Expected a document with text, got an empty file (empty.txt, 0 bytes). Upload the "
        "document itself."
    )


def test_a_result_comes_back():
    document = _worker.run_bounded(
        read_document, "全市改造小区3个".encode(), name="a.txt", seconds=30, memory=2**28, label="a"
    )
    assert [line.text for line in document.lines] == ["全市改造小区3个"]


def test_a_read_past_its_processor_time_is_stopped_by_the_kernel():
    # A busy machine stretches wall-clock time; processor time is the read's own.
    error = _refusal(sum, range(10**12), seconds=60, cpu_seconds=1)
    assert str(error).startswith("Expected big.pdf to be read within 1 s of processor time")
    assert (error.code, error.details["seconds"]) == ("read_timeout", "1")
