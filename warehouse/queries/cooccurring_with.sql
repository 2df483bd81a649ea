-- Who and what is named together with Istanbul, by number of articles.
select
    case when entity_a = 'Istanbul' then entity_b else entity_a end as together_with,
    case when entity_a = 'Istanbul' then label_b else label_a end as label,
    articles
from entity_cooccurrence
where 'Istanbul' in (entity_a, entity_b)
order by articles desc, together_with
limit 5;

-- On the seeds (`newsflow sql -f warehouse/queries/cooccurring_with.sql --format csv`, checked by tests/test_docs.py):
-- together_with,label,articles
-- Russia,GPE,5
-- Russian,NORP,5
-- Turkish,NORP,5
-- Ukraine,GPE,5
-- Ukrainian,NORP,5
