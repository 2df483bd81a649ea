"""Quality gates: Great Expectations suites per batch, the night checks, the warehouse audit and Data Docs."""
