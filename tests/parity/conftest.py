"""Shared fixtures for parity tests against the TF.js oracle."""

import os
import sys

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

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
