"""The default tier's per-test budget (tests/conftest.py) fails a slow test not marked slow."""

from pathlib import Path

import pytest

PLUGIN = Path(__file__).with_name("budget.py")


@pytest.mark.quick
def test_a_test_over_the_budget_fails_in_the_default_tier_only(pytester, monkeypatch):
    pytester.makeconftest(PLUGIN.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n")
    pytester.makepyfile(test_budget="""
        import time
        import pytest

        def test_over():
            time.sleep(0.6)

        @pytest.mark.slow
        def test_over_but_slow():
            time.sleep(0.6)

        def test_within():
            pass
    """)
    monkeypatch.setenv("ENGRAM_NM_TEST_BUDGET_S", "0.5")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not slow")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["call took 0.6 s, over the default tier*s budget of 0.5 s per test*"])
    every_tier = pytester.runpytest_subprocess("-p", "no:cacheprovider")  # make test-all: no budget
    every_tier.assert_outcomes(passed=3)
