-- Every mention of an entity with 40 characters of context either side (offsets are 0-based).
select
    a.title,
    m.text,
    substr(a.text, greatest(m.start_char - 40, 0) + 1, m.end_char - greatest(m.start_char - 40, 0) + 40) as context
from mentions as m
join articles as a using (article_id)
where m.text like 'Medinsk%'
order by a.title, m.start_char;
