"""Wall-clock deadlines for wasm through wasmtime's epochs.

wasmtime checks a store's epoch deadline at function entries and loop back-edges, so a guest
spinning in a loop is interrupted without cooperation; what moves the epoch is a host thread.
One ticker serves one engine, starts with the first job, sleeps while no job runs (an idle
executor costs no wake-ups) and stops on :meth:`EpochTicker.close`.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator

import wasmtime

from paraloom.errors import ExecutionError


class EpochTicker:
    """Increments an engine's epoch every ``interval`` seconds while any job runs."""

    def __init__(self, engine: wasmtime.Engine, interval: float) -> None:
        self.engine = engine
        self.interval = interval
        self._condition = threading.Condition()
        self._active = 0
        self._idle = False
        self._stopped = False
        self._thread: threading.Thread | None = None

    def deadline_ticks(self, timeout: float) -> int:
        """Ticks to give a store so that it is interrupted after ``timeout`` seconds at least.

        A deadline counts from the epoch when it is set, and the next tick may be due at once,
        so one tick is added: the job is interrupted after ``timeout`` and at most two
        intervals later (rounding up, then the extra tick).
        """
        ticks = timeout / self.interval
        # wasmtime takes a u64 and wraps larger numbers; 2^63 ticks outlast any job
        return math.ceil(ticks) + 1 if ticks < 2**62 else 2**63

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Keep the epoch moving while the block (one job) runs."""
        with self._condition:
            if self._stopped:
                raise ExecutionError("the executor is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._tick, name="paraloom-epoch-ticker", daemon=True
                )
                self._thread.start()
            self._active += 1
            if self._idle:
                # wake an idle ticker only: waking one between ticks costs every job a thread
                # switch and brings the next tick forward
                self._condition.notify()
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1

    def close(self) -> None:
        """Stop the thread; jobs still running lose their wall-clock limit (fuel remains)."""
        with self._condition:
            self._stopped = True
            self._condition.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _tick(self) -> None:
        with self._condition:
            while self._await_jobs():
                # close() cuts the sleep short; one more tick after it harms no one
                self._condition.wait(self.interval)
                self.engine.increment_epoch()

    def _await_jobs(self) -> bool:
        """Block while no job runs; False once the ticker is stopped."""
        self._idle = True
        self._condition.wait_for(lambda: self._active > 0 or self._stopped)
        self._idle = False
        return not self._stopped
