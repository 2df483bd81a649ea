-- Pairs of entities named in the same article (each unordered pair once, entity_a_id < entity_b_id).
-- Named entities only ("Russian x May 25" was a pair before issue 11).
with article_entities as (
    select distinct m.article_id, m.entity_id
    from mentions as m
    join entities as e using (entity_id)
    where e.label not in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL')
),
pairs as (
    select a.entity_id as entity_a_id, b.entity_id as entity_b_id, a.article_id
    from article_entities as a
    join article_entities as b
      on a.article_id = b.article_id and a.entity_id < b.entity_id
)
select
    p.entity_a_id,
    ea.name as entity_a,
    ea.label as label_a,
    p.entity_b_id,
    eb.name as entity_b,
    eb.label as label_b,
    count(*) as articles
from pairs as p
join entities as ea on ea.entity_id = p.entity_a_id
join entities as eb on eb.entity_id = p.entity_b_id
group by all
