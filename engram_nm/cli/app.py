"""``main``: parse, check the output paths before any work, run the subcommand, and turn every
error into one line on stderr and an exit code (0 ok, 1 error, 2 usage)."""

from __future__ import annotations

import sys

from engram_nm.errors import EngramError
from engram_nm.cli.parser import build_parser


# Per subcommand, the arguments that name files / folders it writes: checked before any work.
OUTPUT_FILES = {"export": ("out",), "import": ("out",), "train": ("out",), "run": ("out", "learned_model"),
                "fold": ("out",)}


OUTPUT_FOLDERS = {"compare": ("out",), "demo": ("out",), "sweep": ("out",), "data": ("out",)}


def check_outputs(args) -> None:
    """Raise :class:`~engram_nm.errors.OutputPathError` for an output that could not be written,
    so a run never ends, after all its work, in a failed write."""
    from engram_nm.io_utils import check_output_file, check_output_folder

    for dest in OUTPUT_FILES.get(args.command, ()):
        if getattr(args, dest, None):
            check_output_file(getattr(args, dest), "--" + dest.replace("_", "-"))
    for dest in OUTPUT_FOLDERS.get(args.command, ()):
        if getattr(args, dest, None):
            check_output_folder(getattr(args, dest), "--" + dest.replace("_", "-"))


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "learned_model", None) and not args.learn:
        parser.error("--learned-model needs --learn")  # exits 2, like every usage error
    try:
        check_outputs(args)
        return args.func(args)
    except EngramError as exc:
        print(f"engram-nm {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a write that failed during the run (disk full, file system gone)
        print(f"engram-nm {args.command}: error: {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"engram-nm {args.command}: error: out of memory; use fewer steps or a smaller model",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"engram-nm {args.command}: interrupted", file=sys.stderr)
        return 130
