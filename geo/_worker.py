"""
Run one costly read in a child process, bounded in wall-clock time and memory.

An upload is read in the server's process by default, on the page's thread: a hostile one
(a PDF that unpacks to gigabytes, 64,000 spaces for a backtracking pattern) then holds a
core, the GIL and the memory it grew to, and every other planner's page waits (24 s instead
of 1.3 s). :func:`run_bounded` runs the read in a child forked from a fork server (a clean
process that imported the readers once, so a child starts in milliseconds, without the
server's threads), with

- its address space capped by ``resource.setrlimit(RLIMIT_AS)`` at what it had when it
  started plus ``memory`` bytes, so a read that grows past it ends in ``MemoryError``;
- a lower CPU priority (``os.nice``), so the server's own threads are served first;
- a limit on processor time (``RLIMIT_CPU``: the kernel stops it), which a busy machine does
  not shorten, and a wall-clock limit, past which the child is killed.

The parent waits on a pipe without holding the GIL, and at most :data:`MAX_WORKERS` children
run at once (others wait their turn). Every way a child can fail ends in one
:class:`~geo.errors.InputError` with a ``code`` (:data:`ERROR_CODES`); an error the read
raised itself (an ``InputError`` naming its cap) is raised again as it was.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import os
import resource
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from geo.errors import InputError

__all__ = ["ERROR_CODES", "MAX_WORKERS", "run_bounded"]

#: Children reading at once; a third upload waits for one of them (2 cores here).
MAX_WORKERS = 2
#: Codes of the refusals :func:`run_bounded` makes itself, each worded in the app's catalogue.
ERROR_CODES = ("read_timeout", "read_memory", "read_stopped")
#: Modules the fork server imports once (geo._warm reads the gazetteer), so each child
#: starts with them. ``__main__`` first,
#: as multiprocessing's default: a child then finds it loaded instead of running the main
#: script again (the Streamlit or ``atlas`` launcher; a script must guard its entry point).
_PRELOAD = ["__main__", "geo._warm", "geo.network"]
_SLOTS = threading.BoundedSemaphore(MAX_WORKERS)
_NICE = 10
_T = TypeVar("_T")


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _address_space() -> int:
    """The virtual memory size of the calling process in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(
    send: multiprocessing.connection.Connection,
    limits: tuple[int, int],
    function: Callable,
    args: tuple,
    kwargs: dict,
) -> None:
    """Run ``function`` under the limits and send back ("ok", result) or what went wrong."""
    memory, cpu = limits
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, hard))
    # SIGXCPU at the soft limit ends the process (its default action); the hard one is a
    # backstop a few seconds later.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    os.nice(_NICE)
    try:
        outcome: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # sent to the parent, which raises it there
        outcome = ("error", exc)
    try:
        send.send(outcome)
    except MemoryError:
        send.send(("memory", None))
    except Exception as exc:  # an exception or a result that does not pickle
        send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def run_bounded(
    function: Callable[..., _T],
    *args: Any,
    seconds: float,
    memory: int,
    label: str,
    cpu_seconds: int | None = None,
    **kwargs: Any,
) -> _T:
    """
    ``function(*args, **kwargs)`` in a child process, killed after ``seconds``.

    ``function`` must be importable by name (a module-level function) and its arguments and
    result picklable. ``memory`` is how many bytes the child may add to its address space,
    ``cpu_seconds`` how much processor time it may use (default ``seconds``); ``label``
    names the file in the messages. Raises :class:`~geo.errors.InputError`
    (``read_timeout``, ``read_memory``, ``read_stopped``), or what ``function`` raised.
    """
    cpu = int(cpu_seconds or seconds)
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(send, (memory, cpu), function, args, kwargs), daemon=True
    )
    with _SLOTS:
        child.start()
        send.close()
        try:
            if not receive.poll(seconds):
                raise _timeout(label, seconds)
            status, value = receive.recv()
        except EOFError:
            child.join(5)
            if child.exitcode == -signal.SIGXCPU:
                raise _timeout(label, cpu, processor=True) from None
            raise _stopped(label, child.exitcode) from None
        finally:
            if child.is_alive():
                child.kill()
            child.join()
            receive.close()
    if status == "ok":
        return value
    if status == "memory":
        raise _out_of_memory(label, memory)
    raise value


def _timeout(label: str, seconds: float, *, processor: bool = False) -> InputError:
    of = " of processor time" if processor else ""
    return InputError(
        f"Expected {label} to be read within {seconds:.0f} s{of}, the limit for one file; it "
        "took longer and was stopped. Upload a smaller part of it (the pages or chapters with "
        "the figures).",
        code="read_timeout",
        details={"name": label, "seconds": f"{seconds:.0f}"},
    )


def _out_of_memory(label: str, memory: int) -> InputError:
    mib = f"{memory / 2**20:,.0f}"
    return InputError(
        f"Expected {label} to be read within {mib} MiB of memory, the limit for one file; it "
        "needed more and was stopped. Upload a smaller part of it.",
        code="read_memory",
        details={"name": label, "mib": mib},
    )


def _stopped(label: str, exitcode: int | None) -> InputError:
    return InputError(
        f"Expected {label} to be read, but the reader stopped without an answer (exit code "
        f"{exitcode}). Save the file again from the program that made it, and upload that.",
        code="read_stopped",
        details={"name": label, "code": str(exitcode)},
    )
