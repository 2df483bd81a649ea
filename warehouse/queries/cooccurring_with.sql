-- Who and what is named together with Istanbul, by number of articles.
select
    case when entity_a = 'Istanbul' then entity_b else entity_a end as together_with,
    case when entity_a = 'Istanbul' then label_b else label_a end as label,
    articles
from entity_cooccurrence
where 'Istanbul' in (entity_a, entity_b)
order by articles desc, together_with
limit 10;
