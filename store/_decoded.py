"""
Saved versions' snapshots, decoded once per process and kept while they are read.

A version never changes once saved, so what its snapshot decodes to (a national ledger's
300,000 communities: 0.6-3 s of Parquet and WKB each time) can be kept and shared by every
reader of the process: each Streamlit session, each page, each account. Nothing about access
is kept here: which versions and districts a reader may see is decided by the store's query
for each read, and only then are the kept frames cut to those districts.

A version is named by its database, its id and what its row says of it (dataset, number, time
saved, rows), so a database restored over the same file, whose ids start again, never meets
another version's rows. Frames are kept up to :data:`MAX_ROWS` rows in all, the least recently read
let go first; one larger than that is decoded for its reader and not kept. Threads that ask
for the same snapshot at once wait for one decoding.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd

__all__ = ["MAX_ROWS", "SHARED", "DecodedSnapshots"]

#: Rows kept in all, unless ``$ATLAS_DECODED_ROWS`` says otherwise (0: none kept). A national
#: ledger's 300,000 rows take 118 MiB decoded, so the default holds about 600 MiB at most.
MAX_ROWS = int(os.environ.get("ATLAS_DECODED_ROWS") or 1_500_000)


class DecodedSnapshots:
    """
    Decoded snapshots by version, least recently read let go first (see the module).

    Frames handed out are shallow copies: pandas' copy-on-write keeps a reader's changes its
    own.
    """

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._frames: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}
        #: Decodings done and reads answered from memory, for tests and benchmarks.
        self.decoded = 0
        self.kept_reads = 0

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._frames

    def rows(self) -> int:
        """The rows kept now, in all."""
        with self._lock:
            return sum(len(f) for f in self._frames.values())

    def get(self, key: Hashable, decode: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame kept for ``key``, or ``decode()``'s, kept for the next reader."""
        found = self._kept(key)
        if found is not None:
            return found
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:  # one decoding per snapshot; the others wait for it, then read it
            found = self._kept(key)
            if found is not None:
                return found
            frame = decode()
            self._keep(key, frame)
        with self._lock:
            self._loading.pop(key, None)
        return frame.copy(deep=False)

    def clear(self) -> None:
        """Let every kept frame go, and count anew."""
        with self._lock:
            self._frames.clear()
            self.decoded = self.kept_reads = 0

    def _kept(self, key: Hashable) -> pd.DataFrame | None:
        with self._lock:
            frame = self._frames.get(key)
            if frame is None:
                return None
            self._frames.move_to_end(key)
            self.kept_reads += 1
            return frame.copy(deep=False)

    def _keep(self, key: Hashable, frame: pd.DataFrame) -> None:
        with self._lock:
            self.decoded += 1
            if len(frame) > self.max_rows:
                return
            self._frames[key] = frame
            total = sum(len(f) for f in self._frames.values())
            while total > self.max_rows:
                _, dropped = self._frames.popitem(last=False)
                total -= len(dropped)


#: The process's one store, which every :class:`store.Workspace` reads through: a server's
#: pages and what its start read ahead (``server.py``) are the same frames.
SHARED = DecodedSnapshots()
