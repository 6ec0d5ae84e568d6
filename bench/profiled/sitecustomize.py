"""Bench only: a sampling profiler in every process that starts with this folder first on its
PYTHONPATH (``bench/registrations.py --profile DIR`` puts it there). The first SIGUSR1 starts
it, the second stops it and writes ``DIR/<module>-<pid>.txt``, so it covers the timed load
only, not the start-up. The product has no such switch: nothing outside bench/ puts this
folder on a path.

Why not cProfile: its cost per Python call inflates code of many small calls (a JWT check
showed 0.34 ms per request under it, 27 µs without), and it times the wall clock, so a send
that waits for the other process or a commit waiting for the disk looks like work. Here the
kernel's CPU-time interval timer (``ITIMER_PROF``: user and system time of the process) sends
SIGPROF per slice of CPU (1 ms asked for; the kernel's tick makes it 4 ms here), and the
handler notes the stack it interrupted, whatever green thread runs: idle waits weigh nothing,
and a C call (a send, SQLite's commit) is charged to the Python function that made it. The
file lists, per function, its share of the samples (of the process's CPU) in it ("self") and
below it ("total"). The garbage collector runs inside whatever allocation set it off, so its
time is spread over the callers; the file's first lines give it on its own (``gc.callbacks``:
the collections, by generation, and their CPU, against the process's CPU while sampling).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

_FOLDER = os.environ.get("GRAVITY_BENCH_PROFILE_DIR")
_INTERVAL = 0.001  # seconds of CPU per sample asked for


class _Sampler:
    def __init__(self) -> None:
        self.samples = 0
        self.own: Counter[str] = Counter()
        self.below: Counter[str] = Counter()
        self.collections: Counter[int] = Counter()
        self.collecting = 0.0  # CPU seconds inside the garbage collector
        self._collection_began = 0.0
        self._began = time.process_time()

    def collected(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collection_began = time.process_time()
        else:
            self.collecting += time.process_time() - self._collection_began
            self.collections[info["generation"]] += 1

    def sample(self, _signum: int, frame: FrameType | None) -> None:
        if frame is None:
            return
        self.samples += 1
        self.own[_where(frame)] += 1
        seen = set()
        walking: FrameType | None = frame
        while walking is not None:
            seen.add(_where(walking))
            walking = walking.f_back
        for place in seen:
            self.below[place] += 1

    def write(self, path: Path) -> None:
        # The kernel's timer ticks at its own granularity (4 ms on these machines, not the
        # 1 ms asked for), so a sample stands for a share of the CPU, not a set time.
        total = max(1, self.samples)
        cpu = time.process_time() - self._began
        by_generation = ", ".join(f"gen{g} {n}" for g, n in sorted(self.collections.items()))
        lines = [
            f"samples: {self.samples}",
            f"garbage collector: {sum(self.collections.values())} collections ({by_generation}),"
            f" {self.collecting:.3f} CPU s of the process's {cpu:.3f}"
            f" ({100 * self.collecting / max(cpu, 1e-9):.1f}%)",
            "",
            "self %  samples  function",
        ]
        lines += [f"{100 * n / total:6.1f}  {n:7d}  {at}" for at, n in self.own.most_common(80)]
        lines += ["", "total %  samples  function (itself and what it called)"]
        lines += [f"{100 * n / total:7.1f}  {n:7d}  {at}" for at, n in self.below.most_common(200)]
        path.write_text("\n".join(lines) + "\n")


def _where(frame: FrameType) -> str:
    code = frame.f_code
    return f"{code.co_filename}:{code.co_firstlineno}({code.co_name})"


def _name() -> str:
    args = sys.orig_argv
    module = args[args.index("-m") + 1] if "-m" in args[:-1] else Path(args[-1]).stem
    return f"{module}-{os.getpid()}"


_sampler: _Sampler | None = None


def _toggle(_signum: int, _frame: FrameType | None) -> None:
    global _sampler  # noqa: PLW0603 - one sampler per process, switched by a signal
    if _sampler is None:
        _sampler = _Sampler()
        gc.callbacks.append(_sampler.collected)
        signal.signal(signal.SIGPROF, _sampler.sample)
        signal.setitimer(signal.ITIMER_PROF, _INTERVAL, _INTERVAL)
        return
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    signal.signal(signal.SIGPROF, signal.SIG_IGN)
    gc.callbacks.remove(_sampler.collected)
    _sampler.write(Path(str(_FOLDER)) / f"{_name()}.txt")
    _sampler = None


if _FOLDER:
    signal.signal(signal.SIGUSR1, _toggle)
