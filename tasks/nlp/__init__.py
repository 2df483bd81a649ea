"""NLP on the batch: the one spaCy parse, named entities, quotes and amounts."""
