-- Who did what to whom: one row per (source actor, target actor, event type), counted by events.
-- An actor is its entity where the text named one, else its country code.
with actors as (
    select
        ev.event_id,
        ev.event_type,
        ev.quad_class,
        ev.num_mentions,
        coalesce(src.name, ev.source_country) as source_actor,
        ev.source_country,
        coalesce(tgt.name, ev.target_country) as target_actor,
        ev.target_country
    from events as ev
    left join entities as src on src.entity_id = ev.source_entity_id
    left join entities as tgt on tgt.entity_id = ev.target_entity_id
    where coalesce(src.name, ev.source_country) is not null
      and coalesce(tgt.name, ev.target_country) is not null
)
select
    source_actor,
    source_country,
    target_actor,
    target_country,
    event_type,
    quad_class,
    count(*) as events,
    sum(num_mentions) as reports
from actors
group by all
