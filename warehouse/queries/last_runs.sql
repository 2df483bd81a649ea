-- The last runs and what they did.
select run_id, status, docs_seen, articles_new, articles_duplicate, quarantined,
       rows_loaded, validation_success, finished_at - started_at as took
from runs
order by started_at desc
limit 5;
