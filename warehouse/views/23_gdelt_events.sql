-- GDELT 2.0's event table: its 61 columns in its order, with its value conventions, so a query written
-- for GDELT runs on newsflow's events and the two can be UNION ALLed (warehouse/README.md has the
-- mapping). CAMEO event and actor codes, GoldsteinScale, QuadClass from the CAMEO root (1 verbal
-- cooperation 01-05, 2 material cooperation 06-09, 3 verbal conflict 10-14, 4 material conflict 15-20),
-- FIPS 10-4 country codes in the *Geo_* columns, DATEADDED and SOURCEURL of the first report. Columns
-- newsflow does not fill are NULL (ethnic and religion codes, ADM2, AvgTone).
with first_report as (
    select event_id, report_time, source_url
    from (
        select m.event_id, coalesce(a.published_at, a.ingested_at) as report_time,
               coalesce(a.url, a.source) as source_url,
               row_number() over (partition by m.event_id
                                  order by coalesce(a.published_at, a.ingested_at), m.article_id, m.start_char) as k
        from event_mentions as m
        join articles as a using (article_id)
        where m.event_id is not null
    )
    where k = 1
),
geo as (  -- a place entity as GDELT geography: 1 country, 3 US city, 4 world city
    select ent.entity_id, ent.name, cc.fips, ent.latitude, ent.longitude,
           case when ent.geo_type = 'country' then 1
                when ent.geo_type = 'city' and ent.country_code = 'USA' then 3
                when ent.geo_type = 'city' then 4 end as geo_type,
           case when ent.geo_type = 'country' then cc.fips else cast(ent.geonames_id as varchar) end as feature_id,
           case when ent.geo_type = 'country' then ent.name else ent.name || ', ' || cc.name end as full_name,
           coalesce(ent.latitude, cc.latitude) as lat, coalesce(ent.longitude, cc.longitude) as long
    from entities as ent
    left join country_codes as cc on cc.iso3 = ent.country_code
    where ent.country_code is not null
),
country_geo as (  -- an actor's country when its own entity is no place
    select iso3, fips, name, latitude, longitude from country_codes
),
coded as (
    select
        ev.*,
        case when ev.date_precision = 'day' then ev.event_date else cast(ev.first_seen as date) end as action_day,
        case when length(ev.source_code) >= 3 and substr(ev.source_code, 1, 3) in
                  ('IGO', 'NGO', 'MNC', 'IMG', 'INT', 'MEA', 'AFR', 'ASA', 'EUR', 'NMR', 'SAM', 'CAU', 'SCN', 'WST', 'CRB', 'CAS', 'BLK')
             then substr(ev.source_code, 1, 3) end as source_group,
        case when length(ev.target_code) >= 3 and substr(ev.target_code, 1, 3) in
                  ('IGO', 'NGO', 'MNC', 'IMG', 'INT', 'MEA', 'AFR', 'ASA', 'EUR', 'NMR', 'SAM', 'CAU', 'SCN', 'WST', 'CRB', 'CAS', 'BLK')
             then substr(ev.target_code, 1, 3) end as target_group
    from events as ev
    where ev.cameo_code is not null
)
select
    cast(('0x' || substr(c.event_id, 1, 15)) as bigint) as GLOBALEVENTID,
    cast(strftime(c.action_day, '%Y%m%d') as integer) as SQLDATE,
    cast(strftime(c.action_day, '%Y%m') as integer) as MonthYear,
    cast(year(c.action_day) as integer) as Year,
    cast(round(year(c.action_day) + dayofyear(c.action_day) / 365.0, 4) as double) as FractionDate,
    cast(c.source_code as varchar) as Actor1Code,
    cast(upper(coalesce(case when src.label <> 'NORP' then src.name end, sc.name, src.name)) as varchar) as Actor1Name,
    cast(case when c.source_group is null then c.source_country end as varchar) as Actor1CountryCode,
    cast(case when c.source_group is not null and length(c.source_code) > 3 then substr(c.source_code, 4, 3) end as varchar)
        as Actor1KnownGroupCode,
    cast(null as varchar) as Actor1EthnicCode,
    cast(null as varchar) as Actor1Religion1Code,
    cast(null as varchar) as Actor1Religion2Code,
    cast(coalesce(c.source_group, c.source_sector) as varchar) as Actor1Type1Code,
    cast(case when c.source_group is null then nullif(substr(c.source_code, 7, 3), '') end as varchar) as Actor1Type2Code,
    cast(case when c.source_group is null then nullif(substr(c.source_code, 10, 3), '') end as varchar) as Actor1Type3Code,
    cast(c.target_code as varchar) as Actor2Code,
    cast(upper(coalesce(case when tgt.label <> 'NORP' then tgt.name end, tc.name, tgt.name)) as varchar) as Actor2Name,
    cast(case when c.target_group is null then c.target_country end as varchar) as Actor2CountryCode,
    cast(case when c.target_group is not null and length(c.target_code) > 3 then substr(c.target_code, 4, 3) end as varchar)
        as Actor2KnownGroupCode,
    cast(null as varchar) as Actor2EthnicCode,
    cast(null as varchar) as Actor2Religion1Code,
    cast(null as varchar) as Actor2Religion2Code,
    cast(coalesce(c.target_group, c.target_sector) as varchar) as Actor2Type1Code,
    cast(case when c.target_group is null then nullif(substr(c.target_code, 7, 3), '') end as varchar) as Actor2Type2Code,
    cast(case when c.target_group is null then nullif(substr(c.target_code, 10, 3), '') end as varchar) as Actor2Type3Code,
    cast(case when c.is_root_event then 1 else 0 end as integer) as IsRootEvent,
    cast(c.cameo_code as varchar) as EventCode,
    cast(substr(c.cameo_code, 1, 3) as varchar) as EventBaseCode,
    cast(substr(c.cameo_code, 1, 2) as varchar) as EventRootCode,
    cast(case when cast(substr(c.cameo_code, 1, 2) as integer) <= 5 then 1
              when cast(substr(c.cameo_code, 1, 2) as integer) <= 9 then 2
              when cast(substr(c.cameo_code, 1, 2) as integer) <= 14 then 3 else 4 end as integer) as QuadClass,
    cast(c.goldstein as double) as GoldsteinScale,
    cast(c.num_mentions as integer) as NumMentions,
    cast(c.num_sources as integer) as NumSources,
    cast(c.num_articles as integer) as NumArticles,
    cast(null as double) as AvgTone,
    -- Actor geography: the actor's own place entity ("Moscow"), else its country's representative point
    cast(coalesce(sg.geo_type, case when sc.iso3 is not null then 1 end) as integer) as Actor1Geo_Type,
    cast(coalesce(sg.full_name, sc.name) as varchar) as Actor1Geo_FullName,
    cast(coalesce(sg.fips, sc.fips) as varchar) as Actor1Geo_CountryCode,
    cast(coalesce(sg.fips, sc.fips) as varchar) as Actor1Geo_ADM1Code,
    cast(null as varchar) as Actor1Geo_ADM2Code,
    cast(coalesce(sg.lat, sc.latitude) as double) as Actor1Geo_Lat,
    cast(coalesce(sg.long, sc.longitude) as double) as Actor1Geo_Long,
    cast(coalesce(sg.feature_id, sc.fips) as varchar) as Actor1Geo_FeatureID,
    cast(coalesce(tg.geo_type, case when tc.iso3 is not null then 1 end) as integer) as Actor2Geo_Type,
    cast(coalesce(tg.full_name, tc.name) as varchar) as Actor2Geo_FullName,
    cast(coalesce(tg.fips, tc.fips) as varchar) as Actor2Geo_CountryCode,
    cast(coalesce(tg.fips, tc.fips) as varchar) as Actor2Geo_ADM1Code,
    cast(null as varchar) as Actor2Geo_ADM2Code,
    cast(coalesce(tg.lat, tc.latitude) as double) as Actor2Geo_Lat,
    cast(coalesce(tg.long, tc.longitude) as double) as Actor2Geo_Long,
    cast(coalesce(tg.feature_id, tc.fips) as varchar) as Actor2Geo_FeatureID,
    cast(ag.geo_type as integer) as ActionGeo_Type,
    cast(ag.full_name as varchar) as ActionGeo_FullName,
    cast(ag.fips as varchar) as ActionGeo_CountryCode,
    cast(ag.fips as varchar) as ActionGeo_ADM1Code,
    cast(null as varchar) as ActionGeo_ADM2Code,
    cast(ag.lat as double) as ActionGeo_Lat,
    cast(ag.long as double) as ActionGeo_Long,
    cast(ag.feature_id as varchar) as ActionGeo_FeatureID,
    cast(strftime(timezone('UTC', f.report_time), '%Y%m%d%H%M%S') as bigint) as DATEADDED,
    cast(f.source_url as varchar) as SOURCEURL
from coded as c
left join entities as src on src.entity_id = c.source_entity_id
left join entities as tgt on tgt.entity_id = c.target_entity_id
left join country_geo as sc on sc.iso3 = c.source_country
left join country_geo as tc on tc.iso3 = c.target_country
left join geo as sg on sg.entity_id = c.source_entity_id and sg.geo_type is not null
left join geo as tg on tg.entity_id = c.target_entity_id and tg.geo_type is not null
left join geo as ag on ag.entity_id = c.location_entity_id
left join first_report as f on f.event_id = c.event_id
