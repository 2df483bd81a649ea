"""Events and stories: PLOVER coding of sentences, actors, dates, event mentions, consolidation into events, story clustering."""
