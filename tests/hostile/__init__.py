"""Tests that hunt for breaches of the engine's promises (see docs/reliability.md)."""
