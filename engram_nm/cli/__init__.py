"""The ``engram-nm`` command line, an application on the library: argument types
(:mod:`.validators`), the shared model and input flags (:mod:`.model_args`), the subcommands
(:mod:`.commands_model`, :mod:`.commands_work`), the parser (:mod:`.parser`) and ``main``
(:mod:`.app`).

Exit codes: 0 ok, 1 error (an engram_nm error, message on stderr), 2 usage.
"""

from engram_nm.cli.app import main
from engram_nm.cli.parser import build_parser

__all__ = ["main", "build_parser"]
