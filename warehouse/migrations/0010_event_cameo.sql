-- Events coded from the field's dictionaries: the CAMEO event code (PLOVER type, mode and context follow
-- from it), its Goldstein score, GDELT's IsRootEvent, CAMEO actor codes, and whether the place was
-- inferred from the story. Rows loaded before this migration keep nulls until they are re-derived
-- (`newsflow backfill`).
alter table event_mentions add column if not exists cameo_code varchar;       -- "046"
alter table event_mentions add column if not exists goldstein double;         -- -10 .. +10
alter table event_mentions add column if not exists plover_context varchar;   -- "diplomatic", "military" ...
alter table event_mentions add column if not exists is_root_event boolean;    -- in the article's lead
alter table event_mentions add column if not exists source_code varchar;      -- CAMEO actor code "RUSGOV"
alter table event_mentions add column if not exists target_code varchar;
alter table event_mentions add column if not exists location_inferred boolean;  -- the story's place

alter table events add column if not exists cameo_code varchar;
alter table events add column if not exists goldstein double;
alter table events add column if not exists plover_context varchar;
alter table events add column if not exists is_root_event boolean;    -- any report in an article's lead
alter table events add column if not exists source_code varchar;
alter table events add column if not exists target_code varchar;
alter table events add column if not exists location_inferred boolean;
