"""Helpers several test modules share (no tests here)."""
