-- One row per host the crawler asked: how its fetches went, and the last error it gave.
with fetches as (
    select
        lower(regexp_extract(url, '^[a-z]+://([^/?#]+)', 1)) as host,
        outcome,
        error,
        bytes,
        elapsed_ms,
        fetched_at
    from fetch_log
),

per_host as (
    select
        host,
        count(*) as fetches,
        count(*) filter (where outcome = 'ok') as ok,
        count(*) filter (where outcome = 'not_modified') as not_modified,
        count(*) filter (where outcome not in ('ok', 'not_modified')) as failed,
        coalesce(sum(bytes), 0) as bytes,
        round(avg(elapsed_ms)) as avg_elapsed_ms,
        max(fetched_at) as last_fetched_at
    from fetches
    group by host
),

last_error as (
    select host, arg_max(error, fetched_at) as last_error
    from fetches
    where outcome not in ('ok', 'not_modified')
    group by host
)

select per_host.*, last_error.last_error
from per_host
left join last_error using (host)
