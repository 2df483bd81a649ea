-- A GDELT-1.0-style event export: one row per event, GDELT's column names where they mean the same.
-- QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
-- EventRootCode holds the PLOVER category (GDELT has CAMEO codes there); Actor*Code is country+sector.
with located as (
    select ev.*, loc.name as location_name, loc.country_code as location_country,
           loc.latitude as location_lat, loc.longitude as location_long, loc.geonames_id as location_feature,
           -- GDELT's ActionGeo_Type: 1 country, 3 US city, 4 world city (no states in the gazetteer)
           case when loc.geo_type = 'country' then 1
                when loc.geo_type = 'city' and loc.country_code = 'USA' then 3
                when loc.geo_type = 'city' then 4 end as location_type
    from events as ev
    left join entities as loc on loc.entity_id = ev.location_entity_id
),
first_report as (
    select event_id, min(a.url) as source_url, min(a.source) as source_path
    from event_mentions as m
    join articles as a using (article_id)
    where event_id is not null
    group by all
)
select
    l.event_id as GLOBALEVENTID,
    cast(strftime(coalesce(l.event_date, cast(l.first_seen as date)), '%Y%m%d') as integer) as SQLDATE,
    l.date_precision as DatePrecision,
    coalesce(src.name, l.source_country) as Actor1Name,
    l.source_country || coalesce(l.source_sector, '') as Actor1Code,
    l.source_country as Actor1CountryCode,
    l.source_sector as Actor1Type1Code,
    coalesce(tgt.name, l.target_country) as Actor2Name,
    l.target_country || coalesce(l.target_sector, '') as Actor2Code,
    l.target_country as Actor2CountryCode,
    l.target_sector as Actor2Type1Code,
    l.event_type as EventRootCode,
    l.mode as EventMode,
    case l.quad_class when 'verbal cooperation' then 1 when 'material cooperation' then 2
                      when 'verbal conflict' then 3 else 4 end as QuadClass,
    l.num_mentions as NumMentions,
    l.num_sources as NumSources,
    l.num_articles as NumArticles,
    l.location_type as ActionGeo_Type,
    l.location_name as ActionGeo_FullName,
    l.location_country as ActionGeo_CountryCode,
    l.location_lat as ActionGeo_Lat,
    l.location_long as ActionGeo_Long,
    l.location_feature as ActionGeo_FeatureID,
    l.confidence as Confidence,
    cast(strftime(l.last_seen, '%Y%m%d') as integer) as DATEADDED,
    coalesce(f.source_url, f.source_path) as SOURCEURL
from located as l
left join entities as src on src.entity_id = l.source_entity_id
left join entities as tgt on tgt.entity_id = l.target_entity_id
left join first_report as f using (event_id)
