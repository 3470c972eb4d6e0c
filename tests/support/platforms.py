"""What the tests may assert on each system (the unit suite also runs under the Windows
Python in wine: ``make test-windows``)."""

from __future__ import annotations

import os
import sys

import pytest

POSIX = os.name == "posix"
"""POSIX file modes exist: on Windows a file's privacy is the ACL of the user's profile
folder, and chmod sets only the read-only flag, so 0600/0700 are asserted on POSIX only."""

posix_only = pytest.mark.skipif(
    not POSIX,
    reason="POSIX only: symbolic links (Windows needs developer mode for them, wine's are "
    "not Windows'), chmod-ed read-only folders, umask, utime on a link",
)
linux_only = pytest.mark.skipif(
    sys.platform != "linux",
    reason="Linux only: renders speech with pyttsx3's eSpeak NG driver (wine has no SAPI), "
    "or runs Linux tools (chattr, mount, desktop-file-validate)",
)
