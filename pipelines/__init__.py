"""Prefect flows: thin wiring of load, library calls and save."""
