"""Helpers the tests share: fakes, seeders, servers and required-component checks (no tests here)."""
