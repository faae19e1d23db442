"""The `multilevel` command line: parse, run a subcommand, turn a user's error into one
message and an exit status."""

from __future__ import annotations

import argparse
import os
import sys

from multilevel.cli import check, init, listing, report
from multilevel.errors import DataError

#: exit status -> meaning (also in `multilevel --help`)
EXIT_CODES = {
    0: "success",
    1: "a problem with the data or a dataset file (the message says what to fix)",
    2: "a usage error (unknown option or missing argument)",
    3: "the workflow failed for another reason (see the log it names)",
    130: "interrupted",
    141: "the output was closed before it was all written (e.g. piped into head)",
}


def parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES.items())
    top = argparse.ArgumentParser(
        prog="multilevel",
        description="Your own data in a multilevel report: init -> check -> report. Run it "
        "in the project's directory.",
        epilog=f"exit status:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for module in (init, check, report, listing):
        module.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DataError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`multilevel check NAME | head`): stop quietly, as a shell
        # command does, and keep Python from reporting the unflushed output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
