"""Fetching the web: a polite HTTP client (`client`, `robots`), what it reads (`feeds`, `sitemaps`,
`warc`), where the inputs come from (`sources`) and a run's crawl over them (`crawl`).

Every fetch ends in a `fetch_log` row; every failure also in a `Quarantined` record. Parsing never
fetches by itself: feed and sitemap parsers get the bytes the polite client fetched.
"""
