-- Issue 11: language per article (declared, detected, used), the NLP status, the outlet, and
-- publication times with their precision; dates as values in their own table.
alter table articles add column if not exists outlet varchar;               -- registered domain, site name, [[sources]] name or folder
alter table articles add column if not exists published_precision varchar;  -- second | minute | day | month
alter table articles add column if not exists published_raw varchar;        -- the stated value, also when rejected
alter table articles add column if not exists language_declared varchar;    -- ISO 639-1 the input declared
alter table articles add column if not exists language_detected varchar;    -- ISO 639-1 py3langid found
alter table articles add column if not exists nlp_status varchar;           -- ok | no_model:<lang>

alter table raw_documents add column if not exists published_precision varchar;
alter table raw_documents add column if not exists published_raw varchar;

create table if not exists dates (
    date_id        varchar primary key,   -- sha256("date", article_id, start_char, end_char)
    article_id     varchar not null,
    text           varchar not null,      -- exactly articles.text[start_char:end_char]
    label          varchar not null,      -- DATE (the model's span type)
    start_char     integer not null,
    end_char       integer not null,
    sentence_index integer,
    date           date not null,         -- the day; the first of the month/year for coarser ones
    precision      varchar not null,      -- day | month | year
    run_id         varchar not null
);
create index if not exists dates_article on dates (article_id);

-- Articles loaded before this migration: what can be said without re-reading them. Their language
-- stays as stored (declared); outlet from the URL's host, else the site name, else the folder.
update articles set language_declared = language where language_declared is null and language is not null;
update articles set outlet = coalesce(
        nullif(regexp_replace(lower(regexp_extract(url, '^[a-z]+://([^/:?#]+)', 1)), '^www\.', ''), ''),
        nullif(site_name, ''),
        nullif(regexp_extract(regexp_replace(source, '#L[0-9]+$', ''), '([^/]+)/[^/]+$', 1), ''))
    where outlet is null;
update articles set published_precision = 'second' where published_at is not null and published_precision is null;
