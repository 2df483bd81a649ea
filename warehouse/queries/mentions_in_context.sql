-- Every mention of one canonical entity, whatever the spelling, with 30 characters of context
-- either side (offsets are 0-based: substr is 1-based, hence the + 1).
select
    left(a.title, 40) as title,
    m.text,
    substr(a.text, greatest(m.start_char - 30, 0) + 1, m.end_char - greatest(m.start_char - 30, 0) + 30) as context
from mentions as m
join entities as e using (entity_id)
join articles as a using (article_id)
where e.name = 'Vladimir Medinskiy'
order by a.title, m.start_char;

-- On the seeds (`newsflow sql -f warehouse/queries/mentions_in_context.sql --format csv`, checked by tests/test_docs.py):
-- title,text,context
-- Russia Ukraine Peace Talks: Istanbul’s K,Vladimir Medinskiy,"pearheaded by Kremlin advisor Vladimir Medinskiy, whereas Ukraine’s representa"
-- Russia and Ukraine Engage in First Direc,Vladimir Medinski,"delegation is Kremlin advisor Vladimir Medinski, while Ukrainian Defense Mini"
