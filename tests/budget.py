"""A pytest plugin (tests/conftest.py loads it): the default tier's time budget per test."""

import os

import pytest


# The default tier's budget (issue 31: `make test` <= 300 s on 2 cores): a test not marked `slow`
# whose setup or call takes longer than this fails, so the tier cannot creep back up one test at a
# time. The slowest default-tier test measured 13 s beside the other worker (2 workers, 2 cores).
# ENGRAM_NM_TEST_BUDGET_S changes it (0: off, e.g. under a debugger or coverage). It holds only
# when the run leaves the slow tier out (`-m "not slow"`, as `make test` does): in `make test-all`
# a default-tier test shares the cores with the slow ones, and its time there says nothing of the
# default tier's.
TEST_BUDGET_S = float(os.environ.get("ENGRAM_NM_TEST_BUDGET_S", "20"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (TEST_BUDGET_S > 0 and "not slow" in (item.config.getoption("markexpr") or "")
            and report.when in ("setup", "call") and report.passed
            and report.duration > TEST_BUDGET_S and item.get_closest_marker("slow") is None):
        report.outcome = "failed"
        report.longrepr = (f"{report.when} took {report.duration:.1f} s, over the default tier's budget of "
                           f"{TEST_BUDGET_S:g} s per test: make it smaller or mark it slow (tests/budget.py)")
