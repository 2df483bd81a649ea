-- One row per story and day: the articles of the story that day, and the events first reported in it.
with story_articles as (
    select
        story_id,
        article_id,
        cast(coalesce(published_at, ingested_at) as date) as day,
        duplicate_of is not null as is_duplicate
    from articles
    where story_id is not null
),
per_day as (
    select
        story_id,
        day,
        count(*) as articles,
        count(*) filter (where is_duplicate) as duplicates
    from story_articles
    group by all
),
story_events as (
    select story_id, count(*) as events
    from events
    where story_id is not null
    group by all
)
select
    s.story_id,
    s.label,
    d.day,
    d.articles,
    d.duplicates,
    s.num_articles as story_articles,
    s.num_sources as story_sources,
    coalesce(e.events, 0) as story_events,
    s.first_seen,
    s.last_seen
from per_day as d
join stories as s using (story_id)
left join story_events as e using (story_id)
