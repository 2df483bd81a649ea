-- Geocoded places (GPE, LOC, FAC) with their coordinates, country and totals.
with places as (
    select
        entity_id,
        name,
        label,
        country_code,
        latitude,
        longitude,
        geonames_id,
        geo_type,
        mention_count,
        article_count,
        first_seen,
        last_seen
    from entities
    where label in ('GPE', 'LOC', 'FAC')
)
select
    *,
    latitude is not null as has_coordinates
from places
