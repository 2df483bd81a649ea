"""Where documents come from: local files and folders, streamed JSONL, and the plan of what a run reads."""

STAGE = "ingest"  # the quarantine stage of everything read from local inputs
