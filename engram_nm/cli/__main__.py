"""``python -m engram_nm.cli``: the ``engram-nm`` command."""

import sys

from engram_nm.cli.app import main

sys.exit(main())
