-- Events (PLOVER-coded, one row per real-world event), every report of them, stories, amounts.
create table if not exists stories (
    story_id     varchar primary key,
    label        varchar,                 -- the title of the article that started the story
    first_seen   timestamptz,             -- earliest publication (else ingest) time of its articles
    last_seen    timestamptz,
    num_articles integer,
    num_sources  integer,
    run_id       varchar not null
);

alter table articles add column if not exists story_id varchar;
alter table articles add column if not exists duplicate_of varchar;

create table if not exists events (
    event_id           varchar primary key,
    event_type         varchar not null,  -- PLOVER category
    mode               varchar,
    quad_class         varchar not null,  -- verbal/material cooperation/conflict
    source_entity_id   varchar,
    source_country     varchar,
    source_sector      varchar,
    target_entity_id   varchar,
    target_country     varchar,
    target_sector      varchar,
    location_entity_id varchar,
    event_date         date,
    date_precision     varchar not null,  -- day | month | year | unknown
    story_id           varchar,           -- the story of the report that founded the event
    num_mentions       integer,
    num_articles       integer,
    num_sources        integer,
    first_seen         timestamptz,
    last_seen          timestamptz,
    confidence         float,
    run_id             varchar not null
);

create table if not exists event_mentions (
    mention_id         varchar primary key,
    event_id           varchar,           -- null: a negated or hypothetical report, not a fact
    article_id         varchar not null,
    sentence           varchar not null,
    start_char         integer not null,
    end_char           integer not null,
    sentence_index     integer,
    trigger            varchar,
    event_type         varchar not null,
    mode               varchar,
    quad_class         varchar not null,
    source_entity_id   varchar,
    source_text        varchar,
    source_country     varchar,
    source_sector      varchar,
    target_entity_id   varchar,
    target_text        varchar,
    target_country     varchar,
    target_sector      varchar,
    location_entity_id varchar,
    location_text      varchar,
    event_date         date,
    date_precision     varchar not null,
    is_negated         boolean not null,
    is_future          boolean not null,
    is_hypothetical    boolean not null,
    confidence         float,
    run_id             varchar not null
);
create index if not exists event_mentions_event on event_mentions (event_id);
create index if not exists event_mentions_article on event_mentions (article_id);

create table if not exists amounts (
    amount_id  varchar primary key,
    article_id varchar not null,
    value      double not null,
    unit       varchar not null,          -- count | USD | EUR | GBP | ... | km | ton | ...
    object     varchar,                   -- what is counted: "prisoners", "strategic bombers"
    text       varchar not null,          -- exactly articles.text[start_char:end_char]
    sentence   varchar not null,
    start_char integer not null,
    end_char   integer not null,
    run_id     varchar not null
);
