"""The warehouse side: the one loader, runs, raw documents, the quarantine read back, the Parquet lake."""
