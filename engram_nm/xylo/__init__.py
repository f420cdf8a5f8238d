"""SynSense Xylo: the second chip family (docs/xylo.md).

:mod:`~engram_nm.xylo.chips` (limits, with sources), :mod:`~engram_nm.xylo.mapping` (spec -> Xylo
integers, or the reasons it does not fit), :mod:`~engram_nm.xylo.emulator` (``xylo-emu``),
:mod:`~engram_nm.xylo.rockpool_sim` (``xylo-sim``) and :mod:`~engram_nm.xylo.targets`.
"""

from engram_nm.xylo.chips import CHIPS, XyloChip
from engram_nm.xylo.config import XyloConfig
from engram_nm.xylo.mapping import XyloFitError, XyloMapping, fit_xylo, map_to_xylo

__all__ = ["CHIPS", "XyloChip", "XyloConfig", "XyloFitError", "XyloMapping", "fit_xylo", "map_to_xylo"]
