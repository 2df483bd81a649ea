"""Text: cleaning (trafilatura, boilerplate lines) and exact-duplicate detection."""
