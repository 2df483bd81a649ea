"""What a run tells people: alerts."""
