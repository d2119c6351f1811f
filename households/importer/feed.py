"""The read beside the rest of the import: a reader thread hands the sheet's pieces over a bounded queue.

python-calamine parses a piece without the GIL, so the reader thread parses the next piece while the
import converts and checks the rows of the one before; the queue holds at most `DEPTH` pieces, so the
rows read ahead stay bounded. Whatever the reader raises is raised again where the rows are taken
(a refused or broken file, any error); `close()` stops the reader and waits for it, so no thread
outlives the import, whatever ended it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator

from villages.pieces import Piece

DEPTH = 2
THREAD_NAME = "花名册读取"
_END = object()


class PieceFeed:
    """Pieces from a reader thread, in order; iterate once, then (always) `close()`."""

    def __init__(self, pieces: Iterator[Piece], *, depth: int = DEPTH) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(pieces,), name=THREAD_NAME, daemon=True)
        self._thread.start()

    def _read(self, pieces: Iterator[Piece]) -> None:
        try:
            for piece in pieces:
                if not self._put(piece):
                    return
            self._put(_END)
        except BaseException as error:  # handed over: the importing thread raises it
            self._put(error)
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()  # the generator's zip file is closed in the thread that opened it

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Piece]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop the reader (it stops at its next piece) and wait for it."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.1)  # a reader blocked on a full queue gets its turn to stop
        self._thread.join()


def rows_of(pieces: Iterator[Piece]) -> Iterator[list]:
    """The pieces' rows from the first piece's top row on, at their own columns: rows start at column A
    (padded with the piece's left columns) and a gap between pieces comes as empty rows."""
    next_row: int | None = None
    for top, left, rows in pieces:
        if next_row is not None:
            for _ in range(top - next_row):
                yield []
        if left:
            pad = [""] * left
            for row in rows:
                yield pad + row
        else:
            yield from rows
        next_row = top + len(rows)
