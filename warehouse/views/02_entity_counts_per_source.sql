-- One row per entity and source: the outlet (site_name) where known, else the input it came from.
with articles_sourced as (
    select article_id, coalesce(site_name, source) as source
    from articles
)
select
    a.source,
    e.entity_id,
    e.name,
    e.label,
    count(*) as mentions,
    count(distinct m.article_id) as articles
from mentions as m
join articles_sourced as a using (article_id)
join entities as e using (entity_id)
group by all
