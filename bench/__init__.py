"""Benchmarks of issue 9; ``python -m bench`` runs them (see bench/__main__.py)."""
