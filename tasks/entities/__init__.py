"""Entity resolution: type repair, name keys, canonical ids, places (gazetteer), curated overrides, the stored aliases."""
