-- The people named in the most articles, with the surface forms seen for each.
select name, articles, mentions, surface_forms
from entity_summary
where label = 'PERSON'
order by articles desc, mentions desc, name
limit 5;

-- On the seeds (`newsflow sql -f warehouse/queries/top_people.sql --format csv`, checked by tests/test_docs.py):
-- name,articles,mentions,surface_forms
-- Volodymyr Zelensky,5,13,"[""Volodymyr Zelensky"", ""Volodymyr Zelenskyy"", ""Zelensky""]"
-- Vladimir Putin,4,12,"[""Putin"", ""Vladimir Putin""]"
-- Hakan Fidan,4,10,"[""Fidan"", ""Hakan Fidan""]"
-- Marco Rubio,3,4,"[""Marco Rubio"", ""Rubio""]"
-- Donald Trump,2,5,"[""Donald Trump"", ""Trump""]"
