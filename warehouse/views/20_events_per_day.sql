-- One row per day, PLOVER event type and quad class: how many distinct events (not reports) happened.
-- The day is the event's own date where the text fixes it to the day, else the day it was first seen.
with dated as (
    select
        event_id,
        event_type,
        quad_class,
        num_mentions,
        case when date_precision = 'day' then event_date else cast(first_seen as date) end as day,
        date_precision = 'day' as dated_by_text
    from events
)
select
    day,
    event_type,
    quad_class,
    count(*) as events,
    sum(num_mentions) as reports,
    count(*) filter (where dated_by_text) as events_dated_by_text
from dated
group by all
