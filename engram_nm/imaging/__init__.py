"""Calcium imaging of simulated networks: spikes -> GCaMP fluorescence as a microscope records it
(:mod:`~engram_nm.imaging.indicator`, :mod:`~engram_nm.imaging.microscope`), back to dF/F
(:mod:`~engram_nm.imaging.dff`) and to the cells an experimenter would call responsive or engram
(:mod:`~engram_nm.imaging.detection`). docs/calcium_imaging.md walks through the model."""

from engram_nm.imaging.indicator import GCAMP6F, GCAMP6S, INDICATORS, Indicator  # noqa: F401
from engram_nm.imaging.microscope import Microscope, Recording, image  # noqa: F401
