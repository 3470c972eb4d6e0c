"""Sciatica Timer: a calm, hands-free timer for sciatica self-care routines."""

import sys

__version__ = "0.1.0"

# The app uses no network and no cryptography; it hashes only to name cache files, which
# Python's built-in SHA-256 does. Keeping OpenSSL's libcrypto out of the process saves
# 3.3 MB of resident memory, and the packaged app ships no OpenSSL either
# (packaging/trim.py), so both run the same code. Has no effect if hashlib is in already.
if "hashlib" not in sys.modules:
    sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]
