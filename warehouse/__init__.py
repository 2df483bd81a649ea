"""The DuckDB warehouse: ordered migrations, analyst views, example queries and the code that applies them."""
