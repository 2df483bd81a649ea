-- Every quotation with its speaker's canonical entity and the article it is from.
with quoted as (
    select
        q.quote_id,
        q.article_id,
        q.speaker_entity_id,
        q.speaker,
        q.quote,
        q.cue,
        q.attribution,
        q.start_char,
        q.end_char
    from quotes as q
)
select
    quoted.quote_id,
    e.name as speaker_name,
    quoted.speaker as speaker_as_written,
    quoted.quote,
    quoted.cue,
    quoted.attribution,
    a.title,
    coalesce(a.url, a.source) as source,
    coalesce(a.published_at, a.ingested_at) as published,
    quoted.speaker_entity_id,
    quoted.article_id,
    quoted.start_char,
    quoted.end_char
from quoted
join articles as a using (article_id)
left join entities as e on e.entity_id = quoted.speaker_entity_id
