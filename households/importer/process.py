"""The read in a child process: the sheet opened, converted and grouped into batches of households
beside the process that checks and writes them, so that both cores work (issue 14).

The child is forked (os.fork) before the parent starts any thread of its own for the import: it runs
villages.guard's checks, the reader thread (households.importer.feed) and the conversion
(households.importer.reading.Batches), and sends each batch pickled through a pipe. The pipe is the
bounded queue: a child one batch ahead waits until the parent takes it. The child never touches the
database (the parent's connection stays the parent's: the child leaves by os._exit, closing nothing).
Whatever the child raises comes back pickled and is raised where the batches are taken; `close()`
ends the child, whatever ended the import.

os.fork rather than multiprocessing: a Celery prefork worker is a daemonic process, and
multiprocessing refuses to start a child there.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Iterator
from pathlib import Path

from households.importer.columns import RowError
from households.importer.reading import Batches, HouseholdDraft
from households.importer.sheet import Sheet, open_sheet


class ReadingProcess:
    """The sheet's header and its batches, from a child process; take the batches once, then
    (always) `close()`."""

    def __init__(self, path: Path | str, *, whole: bool, progress) -> None:
        self._progress = progress
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: it never returns into the caller's code
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    _serve(path, whole, out)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid: int | None = pid
        self._in = os.fdopen(read_end, "rb")
        self.rows = self.blank = 0
        try:
            _, header = self._take(("sheet",))
        except BaseException:
            self.close()
            raise
        self.errors: list[RowError] = header["errors"]
        self.sheet: Sheet | None = (
            Sheet(rows=iter(()), close=self.close, **header["sheet"]) if header["sheet"] else None
        )

    def _take(self, kinds: tuple[str, ...]) -> tuple[str, dict]:
        """The child's next message of one of `kinds`; its progress on the way is reported."""
        while True:
            try:
                kind, value = pickle.load(self._in)
            except EOFError:
                raise RuntimeError("花名册读取进程意外退出") from None
            if kind == "progress":
                self._progress(value)
            elif kind == "raise":
                raise value
            elif kind in kinds:
                return kind, value

    def batches(
        self, errors: list[RowError], warnings: list[RowError]
    ) -> Iterator[tuple[dict[str, HouseholdDraft], bool]]:
        """As Batches gives them; the rows' errors and warnings join `errors` and `warnings` first."""
        while True:
            kind, value = self._take(("batch", "end"))
            errors.extend(value["errors"])
            warnings.extend(value["warnings"])
            if kind == "end":
                self.rows, self.blank = value["rows"], value["blank"]
                return
            yield value["households"], value["whole_file"]

    def close(self) -> None:
        """End the child (it may be blocked on a full pipe) and wait for it. SIGKILL: the child holds
        nothing to clean up, and a handler the parent installed for SIGTERM (Celery's) is not its own."""
        if self._pid is None:
            return
        self._in.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = None


def _serve(path: Path | str, whole: bool, out) -> None:
    def send(kind: str, value: object) -> None:
        pickle.dump((kind, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        sheet, errors = open_sheet(path)
        try:
            header = None
            if sheet is not None:
                header = {
                    name: getattr(sheet, name)
                    for name in ("header_row", "columns", "headers", "unknown", "total_rows")
                }
            send("sheet", {"sheet": header, "errors": errors})
            if sheet is None or errors:
                return
            row_errors: list[RowError] = []
            warnings: list[RowError] = []
            batches = Batches(
                sheet, row_errors, lambda percent: send("progress", percent), warnings, whole=whole
            )
            for households, whole_file in batches:
                send(
                    "batch",
                    {
                        "households": households,
                        "whole_file": whole_file,
                        "errors": row_errors,
                        "warnings": warnings,
                    },
                )
                row_errors.clear()
                warnings.clear()
            send(
                "end",
                {"rows": batches.rows, "blank": batches.blank, "errors": row_errors, "warnings": warnings},
            )
        finally:
            if sheet is not None:
                sheet.close()
    except BrokenPipeError:
        return  # the parent stopped reading: nothing to tell it
    except BaseException as error:  # handed over: the parent raises it
        send("raise", error)
