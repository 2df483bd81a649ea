-- One row per entity and day: how often it was mentioned and in how many articles.
-- The day is the publication date where the article has one, else the day it was ingested.
-- Named entities only: value labels stored by versions before issue 11 are left out.
with articles_dated as (
    select article_id, cast(coalesce(published_at, ingested_at) as date) as day
    from articles
),
mentions_dated as (
    select m.entity_id, m.article_id, a.day
    from mentions as m
    join articles_dated as a using (article_id)
)
select
    md.day,
    e.entity_id,
    e.name,
    e.label,
    count(*) as mentions,
    count(distinct md.article_id) as articles
from mentions_dated as md
join entities as e using (entity_id)
where e.label not in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL')
group by all
