"""Plain helpers shared by test modules (HTTP steps, job runs, assertions). Test modules import these,
never each other (tests/test_test_layout.py)."""
