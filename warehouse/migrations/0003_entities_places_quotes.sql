-- Canonical entities (issue 4): totals and surface forms per entity, geocoded places, the alias
-- lookup table, and attributed quotations.
alter table entities add column if not exists aliases varchar[];        -- every surface form seen
alter table entities add column if not exists mention_count integer;
alter table entities add column if not exists article_count integer;
alter table entities add column if not exists last_seen timestamptz;    -- latest ingest of an article naming it
alter table entities add column if not exists latitude double;
alter table entities add column if not exists longitude double;
alter table entities add column if not exists country_code varchar;     -- ISO 3166 alpha-3
alter table entities add column if not exists geonames_id bigint;

create table if not exists entity_aliases (
    alias_id   varchar primary key,   -- sha256("alias", entity_id, alias)
    alias      varchar not null,      -- a surface form as written (straight apostrophes, single spaces)
    alias_key  varchar not null,      -- its folded form (tasks/entities/names.py name_key)
    block_key  varchar not null,      -- the resolution block it is looked up by
    entity_id  varchar not null,
    label      varchar not null,      -- the mention type it was seen with
    first_seen timestamptz not null,
    run_id     varchar not null
);
create index if not exists entity_aliases_block on entity_aliases (block_key);
create index if not exists entity_aliases_key on entity_aliases (alias_key);

create table if not exists quotes (
    quote_id          varchar primary key,  -- sha256("quote", article_id, start_char, end_char)
    article_id        varchar not null,
    speaker_entity_id varchar,              -- the PERSON entity, when the speaker was resolved
    speaker           varchar,              -- the speaker as written (mention, pronoun's antecedent, or noun phrase)
    quote             varchar not null,     -- exactly articles.text[start_char:end_char], without the quote marks
    cue               varchar,              -- the speech verb (said, told, stating, ...)
    attribution       varchar not null,     -- cue | pronoun | previous_sentence | unresolved
    start_char        integer not null,
    end_char          integer not null,
    run_id            varchar not null
);
create index if not exists quotes_article on quotes (article_id);
