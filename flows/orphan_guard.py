"""Start a command that dies with its parent: ``python -m flows.orphan_guard PID -- ARGV...``.

The guard asks Linux to send the process SIGTERM when its parent dies (``PR_SET_PDEATHSIG``),
checks that the parent is still ``PID`` (it may have died before the request), then replaces
itself with ``ARGV`` (the request survives ``exec``). A killed ``stance run`` (SIGKILL
included) so never leaves its Prefect server behind. Elsewhere than Linux the command just runs,
and the parent's own clean-up is all there is.

Kept tiny and free of project imports: it runs before every server start.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(0)


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        sys.exit("usage: python -m flows.orphan_guard PARENT_PID -- COMMAND [ARGS...]")
    die_with_parent(int(argv[0]))
    command = argv[2:]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
