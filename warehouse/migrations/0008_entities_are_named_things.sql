-- Issue 11: entities are named things. Value spans stored as entities by earlier versions (DATE,
-- TIME, MONEY, QUANTITY, PERCENT, CARDINAL, ORDINAL) are removed with their mentions and aliases.
-- Amounts were always in `amounts`; dates are now resolved into `dates` for new articles (a
-- `newsflow backfill` re-derives them for stored ones).
create temp table value_entities as
    select entity_id from entities
    where label in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL');
delete from entity_aliases where entity_id in (select entity_id from value_entities);
delete from mentions where entity_id in (select entity_id from value_entities)
    or label in ('DATE', 'TIME', 'MONEY', 'QUANTITY', 'PERCENT', 'CARDINAL', 'ORDINAL');
update events set source_entity_id = null where source_entity_id in (select entity_id from value_entities);
update events set target_entity_id = null where target_entity_id in (select entity_id from value_entities);
update events set location_entity_id = null where location_entity_id in (select entity_id from value_entities);
update event_mentions set source_entity_id = null where source_entity_id in (select entity_id from value_entities);
update event_mentions set target_entity_id = null where target_entity_id in (select entity_id from value_entities);
update event_mentions set location_entity_id = null where location_entity_id in (select entity_id from value_entities);
delete from entities where entity_id in (select entity_id from value_entities);
drop table value_entities;
