"""A failing Lava run is reported clearly and leaves no child process behind."""

import time

import numpy as np
import pytest

from engram_nm.errors import LavaRunError
from engram_nm.lava_compat import lava
from engram_nm.processes.runtime import lava_session, live_children

pytestmark = pytest.mark.lava


def _graph():
    src = lava.SourceRingBuffer(data=np.ones((3, 10)))
    dense = lava.Dense(weights=np.full((2, 3), 0.1))
    lif = lava.LIF(shape=(2,), du=1.0, dv=0.1, vth=1.0)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    return lif


def _wait_no_children(before, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        extra = set(live_children()) - set(before)
        if not extra:
            return set()
        time.sleep(0.1)
    return extra


def test_child_exception_becomes_lava_run_error_without_leftovers():
    before = live_children()
    lif = _graph()
    mon = lava.Monitor()
    mon.probe(lif.v, 2)  # probed for fewer steps than the run: IndexError in a child (docs/lava_edges.md)
    with pytest.raises(LavaRunError, match="IndexError"):
        with lava_session(lif, lava.Loihi2SimCfg(select_tag="floating_pt")) as s:
            s.run(5)
    assert _wait_no_children(before) == set()


def test_error_in_parent_code_still_stops_runtime():
    before = live_children()
    lif = _graph()
    with pytest.raises(KeyError):
        with lava_session(lif, lava.Loihi2SimCfg(select_tag="floating_pt")) as s:
            s.run(3)
            raise KeyError("user code failed between runs")
    assert _wait_no_children(before) == set()
    assert not lif.runtime._is_running


def test_run_twice_and_read_vars():
    lif = _graph()
    with lava_session(lif, lava.Loihi2SimCfg(select_tag="floating_pt")) as s:
        s.run(3)
        v1 = lif.v.get().copy()
        s.run(3)
        assert s.steps_run == 6
        assert not np.array_equal(v1, lif.v.get())
