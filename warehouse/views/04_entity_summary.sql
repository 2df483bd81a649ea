-- One row per entity with its totals and the surface forms seen for it.
select
    e.entity_id,
    e.name,
    e.label,
    count(m.mention_id) as mentions,
    count(distinct m.article_id) as articles,
    list(distinct m.text order by m.text) as surface_forms,
    e.first_seen
from entities as e
left join mentions as m using (entity_id)
where e.label not in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL')
group by all
