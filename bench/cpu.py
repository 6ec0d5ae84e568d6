"""CPU time per process, read from /proc: the suite under test, the broker, the load generator.

A reading holds each watched process's utime + stime (clock ticks, all its threads). One
reading right before a timed stretch and one right after it give what each process spent on
that stretch; divided by the work done, what one unit of work cost. Linux only.

(A little over 200 lines: the table printed from the readings sits with the reading of them.)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
BROKER_COMMAND = "beam.smp"
BROKER = "RabbitMQ (beam.smp; machine-wide, shared by all)"
LOAD_GENERATOR = "load generator (this bench)"
# The suite's processes are `python -m MODULE`; this is what the table calls them.
ROLES = {
    "gravity.cli": "supervisor (gravity up)",
    "shared.eventlog": "event log",
    "services.recruitment": "recruitment",
    "services.placement": "placement",
    "services.volunteering": "volunteering",
    "gateway": "gateway",
    "gateway.projector": "projector (read models)",
}
WIDTH = 52


def _stat(pid: int) -> tuple[str, list[str]]:
    """/proc/<pid>/stat: ``comm`` (which may hold spaces and parentheses itself), then the
    fields after it: [0] state, [1] ppid, ... [11] utime, [12] stime."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def descendants(root: int) -> list[int]:
    """Every process below ``root``, by walking parent ids: /proc/<pid>/task/*/children needs
    CONFIG_PROC_CHILDREN, which this machine's kernel lacks."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        try:
            children.setdefault(int(_stat(pid)[1][1]), []).append(pid)
        except OSError:  # exited meanwhile
            continue
    found, frontier = [], [root]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return sorted(found)


def role(pid: int) -> str:
    """What a process of the suite is, from its command line (``-m services.placement``)."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    if "-m" in args[:-1]:
        module = args[args.index("-m") + 1]
        return ROLES.get(module, module)
    return Path(args[0]).name or f"pid {pid}"


def broker_pids() -> list[int]:
    return [pid for pid, (name, _) in _processes().items() if name == BROKER_COMMAND]


def _processes() -> dict[int, tuple[str, int]]:
    """Every process's command name and utime + stime, in one pass over /proc."""
    found = {}
    for pid in _pids():
        try:
            name, fields = _stat(pid)
        except OSError:  # exited meanwhile
            continue
        found[pid] = (name, int(fields[11]) + int(fields[12]))
    return found


def _machine() -> tuple[int, int]:
    """All CPUs' busy ticks from /proc/stat (user nice system irq softirq; guest is inside
    user), and the ticks the hypervisor stole. Interrupt work is in one sum with the rest:
    the kernel may also have charged it to the process it interrupted."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq, steal


@dataclass(frozen=True)
class Reading:
    processes: dict[int, tuple[str, int]]  # by pid: command name, ticks
    machine: tuple[int, int]
    at: float


@dataclass(frozen=True)
class Usage:
    """CPU seconds each watched process spent between two readings, and what else ran."""

    seconds: dict[str, float]  # by table label, in the order the table shows them
    exited: list[str]  # labels whose process exited meanwhile: their last ticks are lost
    wall: float
    rest: float  # other processes (also short-lived ones /proc no longer shows), the kernel
    stolen: float  # by the hypervisor
    busiest_other: tuple[str, float]

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class CpuMeter:
    """Watches the suite under ``supervisor_pid`` (found now), or the ``processes`` given by
    label, the broker and this process."""

    def __init__(
        self, supervisor_pid: int | None = None, *, processes: dict[str, list[int]] | None = None
    ) -> None:
        self.groups: dict[str, list[int]] = dict(processes or {})
        if supervisor_pid is not None:
            for pid in [supervisor_pid, *descendants(supervisor_pid)]:
                self.groups.setdefault(role(pid), []).append(pid)
        self.groups[BROKER] = broker_pids()
        self.groups[LOAD_GENERATOR] = [os.getpid()]

    def read(self) -> Reading:
        return Reading(_processes(), _machine(), time.perf_counter())

    def usage(self, before: Reading, after: Reading) -> Usage:
        def spent(pid: int) -> float:
            if pid not in after.processes:
                return 0.0
            ticks = after.processes[pid][1] - before.processes.get(pid, ("", 0))[1]
            return ticks / TICKS_PER_SECOND

        seconds = {label: sum(map(spent, pids)) for label, pids in self.groups.items()}
        exited = [
            label
            for label, pids in self.groups.items()
            if any(pid in before.processes and pid not in after.processes for pid in pids)
        ]
        watched = {pid for pids in self.groups.values() for pid in pids}
        others = {pid: spent(pid) for pid in after.processes if pid not in watched}
        busiest = max(others, key=others.__getitem__, default=0)
        name = f"{after.processes[busiest][0]} [{busiest}]" if busiest else "none"
        machine = [
            (a - b) / TICKS_PER_SECOND for a, b in zip(after.machine, before.machine, strict=True)
        ]
        return Usage(
            seconds,
            exited,
            after.at - before.at,
            rest=machine[0] - sum(seconds.values()),
            stolen=machine[1],
            busiest_other=(name, others.get(busiest, 0.0)),
        )


def cpu_table(usage: Usage, registrations: int, unit: str = "registration") -> list[str]:
    """Process, CPU seconds, ms of CPU per registration (or other ``unit`` of work), share of
    the total; then the rest of the machine, which tells how noisy the measurement was."""
    count = max(registrations, 1)
    lines = [
        f"CPU during the timed load: {usage.total * 1000 / count:.2f} ms per {unit}"
        f" ({ms_without_broker(usage, count):.2f} without the shared RabbitMQ"
        f"; {ms_of_the_suite(usage, count):.2f} in the suite's own processes)"
        f", {registrations / usage.wall:.0f} {unit}s/s",
        f"{'process':<{WIDTH}}{'CPU s':>8}{f'ms/{unit}':>17}{'share':>8}",
    ]
    for label, seconds in [*usage.seconds.items(), ("total", usage.total)]:
        share = seconds / usage.total if usage.total else 0.0
        note = "  (exited during the run)" if label in usage.exited else ""
        lines.append(
            f"{label:<{WIDTH}}{seconds:>8.2f}{seconds * 1000 / count:>17.2f}{share:>8.1%}{note}"
        )
    busiest, busiest_seconds = usage.busiest_other
    cores = os.cpu_count() or 1
    busy = (usage.total + usage.rest) / (usage.wall * cores)
    lines.append(
        f"{'rest of the machine (not in the total)':<{WIDTH}}{usage.rest:>8.2f}"
        f"  (busiest other process still alive: {busiest}, {busiest_seconds:.2f} s)"
    )
    lines.append(
        f"machine {busy:.0%} busy over {usage.wall:.1f} s on {cores} cores"
        f"; {usage.stolen:.2f} CPU s stolen by the hypervisor"
    )
    return lines


def per_registration_ms(usage: Usage, registrations: int) -> dict[str, float]:
    count = max(registrations, 1)
    return {
        label: s * 1000 / count for label, s in [*usage.seconds.items(), ("total", usage.total)]
    }


def ms_without_broker(usage: Usage, registrations: int) -> float:
    """The total but the broker's row: the broker also serves whatever else runs on the
    machine, so that row is the noisier one."""
    return (usage.total - usage.seconds[BROKER]) * 1000 / max(registrations, 1)


def ms_of_the_suite(usage: Usage, registrations: int) -> float:
    """The suite's own processes only, broker and load generator excluded: the figure the
    performance targets are set in (docs/performance.md)."""
    outside = usage.seconds.get(BROKER, 0.0) + usage.seconds.get(LOAD_GENERATOR, 0.0)
    return (usage.total - outside) * 1000 / max(registrations, 1)
