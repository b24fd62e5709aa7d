"""Issue 15 item 10: the soft file-descriptor limit is raised at start where allowed, and the connection cap fits
what the process has (two descriptors a connection: the client's and an upstream's), below FD_RESERVE."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from llms.server.connections import FD_RESERVE, Limits, connection_cap

# A fresh interpreter with the given (soft, hard) RLIMIT_NOFILE asks raise_fd_limit and prints what it gives and
# the soft limit then in force.
ASK = ("import resource; from llms.server.connections import raise_fd_limit; "
       "print(raise_fd_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0])")


def limit_after_raise(soft: int, hard: int) -> tuple[int, int]:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    done = subprocess.run([sys.executable, "-c", ASK], preexec_fn=limited, capture_output=True, text=True,
                          timeout=60, check=True)
    given, in_force = done.stdout.split()
    return int(given), int(in_force)


HARD = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
pytestmark = pytest.mark.skipif(HARD != resource.RLIM_INFINITY and HARD < 512,
                                reason=f"this process's hard descriptor limit ({HARD}) is below the limits tried here")


def test_a_soft_limit_below_the_hard_one_is_raised_to_it():
    hard = HARD
    target = 4096 if hard == resource.RLIM_INFINITY or hard > 4096 else hard
    assert limit_after_raise(256, target) == (target, target)


def test_a_soft_limit_already_at_the_hard_one_stays_and_is_what_the_cap_is_made_from():
    assert limit_after_raise(200, 200) == (200, 200)
    assert connection_cap(Limits(), 200) == (200 - FD_RESERVE) // 2 == 68


def test_the_cap_is_the_configured_most_when_descriptors_are_plenty_and_never_below_one():
    assert connection_cap(Limits(), 1_048_576) == Limits().max_connections == 1000
    assert connection_cap(Limits(max_connections=50), 4096) == 50
    assert connection_cap(Limits(), FD_RESERVE) == 1
