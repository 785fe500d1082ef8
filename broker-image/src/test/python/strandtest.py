"""Shared helpers for the Python client scripts that the *IT classes run against a real Strand broker.

Every script takes the bootstrap address and a topic (or topic prefix) as arguments, bounds every wait with a
timeout, prints what it did, and exits non-zero with a message starting with FAIL on any failure.
"""
import os
import sys
import time
import traceback


def _v(version):
    """confluent_kafka.version() is a (str, int) tuple in old releases and a str in new ones."""
    return version[0] if isinstance(version, tuple) else version


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def log(message):
    print(message, flush=True)


def args(usage, count=2):
    """Positional arguments: bootstrap, topic, ... Exits with usage (code 2) when too few are given."""
    if len(sys.argv) < count + 1:
        print("usage: " + os.path.basename(sys.argv[0]) + " " + usage, file=sys.stderr)
        sys.exit(2)
    return sys.argv[1:]


def require_all_codecs():
    """Set by the ITs when CI=true: a codec the client cannot use fails instead of being skipped."""
    return os.environ.get("STRAND_REQUIRE_ALL_CODECS", "").lower() in ("1", "true", "yes")


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def remaining(self):
        return max(0.0, self.end - time.monotonic())

    def expired(self):
        return time.monotonic() >= self.end


def main(fn):
    """Runs fn(), turning any exception into a FAIL line and exit code 1."""
    try:
        fn()
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001 - report anything, including KeyboardInterrupt
        traceback.print_exc()
        fail("unexpected exception (traceback above)")
    log("OK")
    sys.exit(0)
