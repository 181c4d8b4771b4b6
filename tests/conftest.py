"""Shared fixtures: the TF.js oracle (one Node worker for the session), and the ops
coverage summary printed at the end of the run."""

import os
import sys

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (os.path.join(_HERE, "parity"), os.path.join(_HERE, "ops"),
              os.path.join(_HERE, "layers")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from oracle import Oracle, OracleError, missing_requirement  # noqa: E402


@pytest.fixture(scope="session")
def oracle():
    """One TF.js worker for the whole session (skips without node, fails on CI)."""
    missing = missing_requirement()
    if missing:
        msg = (f"TF.js oracle unavailable: {missing}. "
               "Run `make test` (it runs `npm ci` in tests/js) to install it.")
        if os.environ.get("CI"):
            pytest.fail(msg + " CI is set, so the oracle is required.")
        pytest.skip(msg)
    client = Oracle()
    try:
        client.ping()
    except OracleError as e:
        client.close()
        pytest.fail(f"TF.js oracle failed to start: {e}")
    yield client
    client.close()


def pytest_terminal_summary(terminalreporter):
    """How many TF.js ops the differential suite covered, and how many agree."""
    harness = sys.modules.get("harness")
    if harness is None or not harness.RESULTS:
        return
    ops, bad = {}, set()
    for r in harness.RESULTS:
        ops.setdefault(r.case.op, 0)
        ops[r.case.op] += 1
        if not r.ok:
            bad.add(r.case.op)
    terminalreporter.write_line(
        f"ops differential suite: {len(ops)} TF.js ops covered by {len(harness.RESULTS)} cases; "
        f"{len(ops) - len(bad)} ops agree with TF.js 4.22"
        + (f"; disagreeing: {', '.join(sorted(bad))}" if bad else ""))
