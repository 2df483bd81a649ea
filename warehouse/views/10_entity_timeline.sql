-- One row per canonical entity and day (publication date, else ingest date): all spellings counted together.
with mentions_by_day as (
    select
        m.entity_id,
        cast(coalesce(a.published_at, a.ingested_at) as date) as day,
        m.article_id,
        m.text
    from mentions as m
    join articles as a using (article_id)
),
counted as (
    select
        entity_id,
        day,
        count(*) as mentions,
        count(distinct article_id) as articles,
        list(distinct text order by text) as surface_forms
    from mentions_by_day
    group by entity_id, day
)
select
    c.day,
    e.entity_id,
    e.name,
    e.label,
    c.mentions,
    c.articles,
    c.surface_forms
from counted as c
join entities as e using (entity_id)
where e.label not in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL')
