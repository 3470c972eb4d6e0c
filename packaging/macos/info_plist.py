"""The macOS app's Info.plist entries (``Sciatica Timer.app/Contents/Info.plist``), for the
PyInstaller spec's BUNDLE. Kept here, apart from the spec, so a test can check them on any
system (tests/unit/packaging/test_macos.py).
"""

from __future__ import annotations

from typing import Any

MICROPHONE_USAGE = (
    'Listens for the word "stop" on this computer only when you turn on voice stop; '
    "nothing is recorded."
)
"""What macOS shows when the app first asks for the microphone (voice stop)."""

MINIMUM_MACOS = "13.0"
"""The oldest macOS the built app runs on: the PySide6 it bundles decides. On macOS 11 and
12 pip takes PySide6 6.7 or 6.9 (their last wheels for those systems); 6.10 and 6.11 are
built for macOS 13 (``packaging/macos/check_wheels.py --macos 11.0`` and ``13.0`` show it),
and the CI build on macos-14 takes 6.11."""


def info_plist(display_name: str, version: str, license_name: str) -> dict[str, Any]:
    return {
        "CFBundleName": display_name,
        "CFBundleDisplayName": display_name,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSApplicationCategoryType": "public.app-category.healthcare-fitness",
        "LSMinimumSystemVersion": MINIMUM_MACOS,
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": f"{license_name} licence",
        "NSRequiresAquaSystemAppearance": False,
        "NSMicrophoneUsageDescription": MICROPHONE_USAGE,
    }
