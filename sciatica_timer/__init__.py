"""Sciatica Timer: a calm, hands-free timer for sciatica self-care routines."""

__version__ = "0.1.0"
