"""Great Expectations suites, one JSON file per table; loaded at run time by tasks/quality/validate.py."""
