-- What a place's coordinates are: a country's representative point (countryinfo) or a city's
-- GeoNames position. Rows loaded before this migration are classified from what they already hold;
-- countries get their coordinates the next night they are mentioned.
alter table entities add column if not exists geo_type varchar;  -- country | city
update entities
set geo_type = case when latitude is not null then 'city' else 'country' end
where geo_type is null and country_code is not null and label in ('GPE', 'LOC', 'FAC');
