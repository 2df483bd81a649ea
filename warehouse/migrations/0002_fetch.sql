-- The crawl state: one row per HTTP fetch (robots.txt, feeds, sitemaps, pages). Conditional requests
-- read the latest etag/last_modified per url; article URLs with an ok row are not fetched again.
create table if not exists fetch_log (
    fetch_id      varchar primary key,   -- sha256("fetch", kind, url, fetched_at)
    url           varchar not null,      -- the canonical URL requested
    final_url     varchar,               -- where redirects ended
    kind          varchar not null,      -- page | feed | sitemap | discover | robots
    source_name   varchar,               -- the [[sources]] name or the command-line input
    via           varchar,               -- the feed, sitemap, site or URL list the URL was found in
    status        integer,               -- the last HTTP status; null when there was no response
    outcome       varchar not null,      -- ok | not_modified | refused | robots | dns | timeout | connection
                                         -- | http_error | too_large | redirects | not_html | malformed
    etag          varchar,
    last_modified varchar,               -- the Last-Modified header as sent
    content_type  varchar,
    bytes         bigint,                -- body bytes after decoding (0 for a 304, null on failure)
    elapsed_ms    integer,               -- wall time including retries, backoff and the politeness gap
    attempts      integer,
    fetched_at    timestamptz not null,
    error         varchar,               -- what went wrong, in words
    run_id        varchar not null
);
create index if not exists fetch_log_url on fetch_log (url);

-- Fetch outcomes of a run by kind, e.g. {"page": {"ok": 40, "robots": 2}, "feed": {"not_modified": 1}}.
alter table runs add column if not exists fetch_outcomes json;
