"""Qt-free helpers for the tests: fresh processes, the private sound server, journals and
clocks (tests/unit/test_layers.py checks that nothing here loads Qt)."""
