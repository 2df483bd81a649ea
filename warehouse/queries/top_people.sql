-- The people named in the most articles, with the surface forms seen for each.
select name, articles, mentions, surface_forms
from entity_summary
where label = 'PERSON'
order by articles desc, mentions desc, name
limit 10;
