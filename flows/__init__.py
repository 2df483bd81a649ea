"""Prefect flows (they only compose tasks) and the command-line interface."""
