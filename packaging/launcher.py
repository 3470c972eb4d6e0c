"""The frozen app's entry point: the same as the ``sciatica-timer`` command."""

import sys

from sciatica_timer.app import main

if __name__ == "__main__":
    sys.exit(main())
