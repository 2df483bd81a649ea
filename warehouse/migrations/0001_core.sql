-- The base tables: facts only. Analyst views live in warehouse/views/.
create table if not exists runs (
    run_id             varchar primary key,
    flow_run_id        varchar,
    started_at         timestamptz not null,
    finished_at        timestamptz,
    status             varchar not null,          -- running | success | warning | failed
    inputs             varchar[],                 -- the paths/URLs the run was given
    docs_seen          integer default 0,
    articles_new       integer default 0,
    articles_duplicate integer default 0,
    quarantined        integer default 0,
    rows_loaded        json,                      -- new rows per table, e.g. {"articles": 5, "mentions": 268}
    validation_success boolean,
    validation         json,                      -- per suite: evaluated/failed expectations, rows rejected
    stage_seconds      json,                      -- wall time per stage, summed over batches
    settings           json,
    error              varchar
);

create table if not exists articles (
    article_id   varchar primary key,
    source       varchar not null,
    url          varchar,
    title        varchar,
    text         varchar not null,
    published_at timestamptz,
    language     varchar,
    site_name    varchar,
    author       varchar,
    content_hash varchar not null,
    body_format  varchar,
    encoding     varchar,
    ingested_at  timestamptz not null,
    run_id       varchar not null
);
create unique index if not exists articles_content_hash on articles (content_hash);

create table if not exists entities (
    entity_id  varchar primary key,
    name       varchar not null,
    label      varchar not null,
    first_seen timestamptz not null,
    run_id     varchar not null
);

create table if not exists mentions (
    mention_id     varchar primary key,
    article_id     varchar not null,
    entity_id      varchar not null,
    text           varchar not null,
    label          varchar not null,
    start_char     integer not null,
    end_char       integer not null,
    sentence_index integer,
    run_id         varchar not null
);
create index if not exists mentions_article on mentions (article_id);
create index if not exists mentions_entity on mentions (entity_id);

create table if not exists quarantine (
    quarantine_id varchar primary key,
    run_id        varchar not null,
    stage         varchar not null,   -- ingest | clean | dedupe | entities | validate | load
    source        varchar not null,
    reason        varchar not null,
    payload       blob,               -- the original input, byte for byte, where there was one
    created_at    timestamptz not null
);
