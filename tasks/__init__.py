"""Stages of the pipeline: plain functions over Arrow batches, plus thin Prefect task wrappers."""
