-- Operations (issue 6): raw documents for backfills, what each run checked, built and alerted,
-- and which quarantined rows were re-processed.
create table if not exists raw_documents (
    raw_id       varchar primary key,   -- sha256("raw", url or source, body), 16 hex digits
    source       varchar not null,      -- file path (path#L<n> for a JSONL line) or URL
    url          varchar,
    title        varchar,
    body         varchar not null,      -- the decoded text or HTML exactly as read or fetched
    body_format  varchar not null,      -- text | html
    encoding     varchar,
    published_at timestamptz,
    site_name    varchar,
    author       varchar,
    language     varchar,
    first_seen   timestamptz not null,
    run_id       varchar not null
);
create index if not exists raw_documents_first_seen on raw_documents (first_seen);

alter table runs add column if not exists kind varchar;          -- nightly | backfill | retry
alter table runs add column if not exists profile json;          -- documents/articles per source, articles without entities
alter table runs add column if not exists docs_path varchar;     -- the Data Docs index built after the run
alter table runs add column if not exists alert_status varchar;  -- not sent | sent to ... | failed: ...

alter table quarantine add column if not exists retried_at timestamptz;
alter table quarantine add column if not exists retry_run_id varchar;
