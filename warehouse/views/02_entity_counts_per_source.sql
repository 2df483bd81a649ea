-- One row per entity and outlet (articles.outlet: the registered domain of the URL, else the site
-- name, the [[sources]] name or the folder); `source` keeps its old name for existing queries.
with articles_sourced as (
    select article_id, coalesce(outlet, site_name, source) as source
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
where e.label not in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL')
group by all
