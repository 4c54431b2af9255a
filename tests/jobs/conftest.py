"""The pipeline tests use the shared worker fixtures of tests/conftest.py and helpers of tests/workers.py."""
