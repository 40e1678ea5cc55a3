"""Thin Prefect flows over the Prefect-free ``pipeline`` core."""
