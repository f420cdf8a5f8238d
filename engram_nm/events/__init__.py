"""Event data generated in the repository, no downloads (docs/events.md).

* :mod:`engram_nm.events.sensor`: a dynamic vision sensor (DVS) model: log-intensity change
  against a per-pixel contrast threshold, threshold mismatch, refractory period, background
  events (after ESIM, Rebecq et al. 2018, and v2e, Hu, Liu & Delbruck 2021);
* :mod:`engram_nm.events.digits`: the bundled digits as event-camera recordings along N-MNIST's
  three saccades (Orchard et al. 2015) and as a temporally redundant video;
* :mod:`engram_nm.events.files`: the event array format, its validation and atomic files.
"""

from engram_nm.events.files import EVENT_DTYPE, bin_events, read_events, validate_events, write_events
from engram_nm.events.sensor import EventSensor

__all__ = ["EVENT_DTYPE", "EventSensor", "bin_events", "read_events", "validate_events", "write_events"]
