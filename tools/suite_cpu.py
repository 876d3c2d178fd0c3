"""Where the test suite's CPU goes: `python -m pytest -p tools.suite_cpu` prints, after the run,
the CPU time (user + system, of the test's process and of the processes it started and waited
for: git, mostly) and the processes started, per test file and for the costliest tests.

Wall times (`--durations`) on a shared machine say how busy it was; CPU says what a test costs.
Works with and without xdist: each worker measures its tests and sends the figures back with the
teardown report (as user properties), and the controller adds them up.
"""

from __future__ import annotations

import resource
import subprocess
from collections import defaultdict

import pytest

KEY = "suite_cpu"
_started = [0]
_popen = subprocess.Popen.__init__


def _counted(self, *args, **kwargs):
    _started[0] += 1
    return _popen(self, *args, **kwargs)


subprocess.Popen.__init__ = _counted  # type: ignore[method-assign]


def _cpu() -> tuple[float, float]:
    own, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, waited.ru_utime + waited.ru_stime


_START = pytest.StashKey[tuple]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_START] = (*_cpu(), _started[0])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "teardown" and _START in item.stash:
        own0, waited0, started0 = item.stash[_START]
        own1, waited1 = _cpu()
        item.user_properties.append((KEY, (own1 - own0, waited1 - waited0, _started[0] - started0)))
    yield


_FIGURES: dict[str, tuple[float, float, int]] = {}


def pytest_runtest_logreport(report):
    if report.when == "teardown":
        for key, value in report.user_properties:
            if key == KEY:
                _FIGURES[report.nodeid] = tuple(value)


def pytest_terminal_summary(terminalreporter, config):
    if not _FIGURES:
        return
    write = terminalreporter.write_line
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for nodeid, (own, waited, started) in _FIGURES.items():
        found = files[nodeid.split("::")[0]]
        found[0] += own
        found[1] += waited
        found[2] += started
        found[3] += 1
    own = sum(f[0] for f in files.values())
    waited = sum(f[1] for f in files.values())
    started = sum(f[2] for f in files.values())
    terminalreporter.section("CPU per test file (tools/suite_cpu.py)")
    write(f"{len(_FIGURES)} tests: {own + waited:.1f} s CPU ({own:.1f} s in pytest, {waited:.1f} s in the "
          f"{started} processes they started)")
    write(f"{'cpu s':>8} {'own s':>8} {'procs':>7} {'tests':>6}  file")
    for name, (o, w, s, n) in sorted(files.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:30]:
        write(f"{o + w:8.1f} {o:8.1f} {s:7d} {n:6d}  {name}")
    write("")
    write(f"{'cpu s':>8} {'procs':>7}  costliest tests")
    for nodeid, (o, w, s) in sorted(_FIGURES.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:20]:
        write(f"{o + w:8.1f} {s:7d}  {nodeid}")
