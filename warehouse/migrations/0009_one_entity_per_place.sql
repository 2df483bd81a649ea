-- Issue 11: one entity per real place. Earlier versions made one entity per spelling and label
-- ("U.S." and "United States"; "Moscow" as GPE and as LOC) and took nationality words tagged GPE
-- ("Ukrainian") for places. This brings a stored warehouse to what new batches get
-- (tasks/entities/canonical.py): a demonym is a NORP linked to its country by country_code; places
-- with one GeoNames id are one GPE entity (the most mentioned keeps its id and name, the others'
-- mentions, aliases and event/quote references move to it); their aliases are looked up by the
-- gazetteer key from now on. The word lists are newsflow/countries.py's DEMONYMS (with plurals) and
-- SEATS (tests/entities/test_place_migration.py checks they agree).
create temp table demonym_words (word varchar);
insert into demonym_words values
    ('afghan'),
    ('afghans'),
    ('albanian'),
    ('albanians'),
    ('algerian'),
    ('algerians'),
    ('american'),
    ('americans'),
    ('argentine'),
    ('argentines'),
    ('argentinian'),
    ('argentinians'),
    ('armenian'),
    ('armenians'),
    ('australian'),
    ('australians'),
    ('austrian'),
    ('austrians'),
    ('azerbaijani'),
    ('azerbaijanis'),
    ('azeri'),
    ('azeris'),
    ('bahraini'),
    ('bahrainis'),
    ('bangladeshi'),
    ('bangladeshis'),
    ('belarusian'),
    ('belarusians'),
    ('belgian'),
    ('belgians'),
    ('bolivian'),
    ('bolivians'),
    ('bosnian'),
    ('bosnians'),
    ('brazilian'),
    ('brazilians'),
    ('british'),
    ('britishs'),
    ('bulgarian'),
    ('bulgarians'),
    ('burmese'),
    ('burmeses'),
    ('cambodian'),
    ('cambodians'),
    ('cameroonian'),
    ('cameroonians'),
    ('canadian'),
    ('canadians'),
    ('chilean'),
    ('chileans'),
    ('chinese'),
    ('chineses'),
    ('colombian'),
    ('colombians'),
    ('congolese'),
    ('congoleses'),
    ('croatian'),
    ('croatians'),
    ('cuban'),
    ('cubans'),
    ('cypriot'),
    ('cypriots'),
    ('czech'),
    ('czechs'),
    ('danish'),
    ('danishs'),
    ('dutch'),
    ('dutchs'),
    ('ecuadorian'),
    ('ecuadorians'),
    ('egyptian'),
    ('egyptians'),
    ('emirati'),
    ('emiratis'),
    ('english'),
    ('englishs'),
    ('eritrean'),
    ('eritreans'),
    ('estonian'),
    ('estonians'),
    ('ethiopian'),
    ('ethiopians'),
    ('filipino'),
    ('filipinos'),
    ('finnish'),
    ('finnishs'),
    ('french'),
    ('frenchs'),
    ('georgian'),
    ('georgians'),
    ('german'),
    ('germans'),
    ('ghanaian'),
    ('ghanaians'),
    ('greek'),
    ('greeks'),
    ('guatemalan'),
    ('guatemalans'),
    ('haitian'),
    ('haitians'),
    ('honduran'),
    ('hondurans'),
    ('hungarian'),
    ('hungarians'),
    ('icelandic'),
    ('icelandics'),
    ('indian'),
    ('indians'),
    ('indonesian'),
    ('indonesians'),
    ('iranian'),
    ('iranians'),
    ('iraqi'),
    ('iraqis'),
    ('irish'),
    ('irishs'),
    ('israeli'),
    ('israelis'),
    ('italian'),
    ('italians'),
    ('ivorian'),
    ('ivorians'),
    ('jamaican'),
    ('jamaicans'),
    ('japanese'),
    ('japaneses'),
    ('jordanian'),
    ('jordanians'),
    ('kazakh'),
    ('kazakhs'),
    ('kenyan'),
    ('kenyans'),
    ('korean'),
    ('koreans'),
    ('kosovar'),
    ('kosovars'),
    ('kuwaiti'),
    ('kuwaitis'),
    ('kyrgyz'),
    ('kyrgyzs'),
    ('lao'),
    ('laos'),
    ('laotian'),
    ('laotians'),
    ('latvian'),
    ('latvians'),
    ('lebanese'),
    ('lebaneses'),
    ('liberian'),
    ('liberians'),
    ('libyan'),
    ('libyans'),
    ('lithuanian'),
    ('lithuanians'),
    ('malaysian'),
    ('malaysians'),
    ('malian'),
    ('malians'),
    ('maltese'),
    ('malteses'),
    ('mexican'),
    ('mexicans'),
    ('moldovan'),
    ('moldovans'),
    ('mongolian'),
    ('mongolians'),
    ('montenegrin'),
    ('montenegrins'),
    ('moroccan'),
    ('moroccans'),
    ('mozambican'),
    ('mozambicans'),
    ('namibian'),
    ('namibians'),
    ('nepalese'),
    ('nepaleses'),
    ('nepali'),
    ('nepalis'),
    ('new zealander'),
    ('new zealanders'),
    ('nicaraguan'),
    ('nicaraguans'),
    ('nigerian'),
    ('nigerians'),
    ('nigerien'),
    ('nigeriens'),
    ('north korean'),
    ('north koreans'),
    ('norwegian'),
    ('norwegians'),
    ('omani'),
    ('omanis'),
    ('pakistani'),
    ('pakistanis'),
    ('palestinian'),
    ('palestinians'),
    ('panamanian'),
    ('panamanians'),
    ('paraguayan'),
    ('paraguayans'),
    ('peruvian'),
    ('peruvians'),
    ('polish'),
    ('polishs'),
    ('portuguese'),
    ('portugueses'),
    ('qatari'),
    ('qataris'),
    ('romanian'),
    ('romanians'),
    ('russian'),
    ('russians'),
    ('rwandan'),
    ('rwandans'),
    ('saudi'),
    ('saudis'),
    ('scottish'),
    ('scottishs'),
    ('senegalese'),
    ('senegaleses'),
    ('serbian'),
    ('serbians'),
    ('singaporean'),
    ('singaporeans'),
    ('slovak'),
    ('slovaks'),
    ('slovenian'),
    ('slovenians'),
    ('somali'),
    ('somalis'),
    ('south african'),
    ('south africans'),
    ('south korean'),
    ('south koreans'),
    ('south sudanese'),
    ('south sudaneses'),
    ('soviet'),
    ('soviets'),
    ('spanish'),
    ('spanishs'),
    ('sri lankan'),
    ('sri lankans'),
    ('sudanese'),
    ('sudaneses'),
    ('swedish'),
    ('swedishs'),
    ('swiss'),
    ('swisss'),
    ('syrian'),
    ('syrians'),
    ('taiwanese'),
    ('taiwaneses'),
    ('tajik'),
    ('tajiks'),
    ('tanzanian'),
    ('tanzanians'),
    ('thai'),
    ('thais'),
    ('tunisian'),
    ('tunisians'),
    ('turk'),
    ('turkish'),
    ('turkishs'),
    ('turkmen'),
    ('turkmens'),
    ('turks'),
    ('ugandan'),
    ('ugandans'),
    ('ukrainian'),
    ('ukrainians'),
    ('uruguayan'),
    ('uruguayans'),
    ('uzbek'),
    ('uzbeks'),
    ('venezuelan'),
    ('venezuelans'),
    ('vietnamese'),
    ('vietnameses'),
    ('welsh'),
    ('welshs'),
    ('yemeni'),
    ('yemenis'),
    ('zambian'),
    ('zambians'),
    ('zimbabwean'),
    ('zimbabweans');
create temp table seat_words (word varchar);
insert into seat_words values
    ('ankara'),
    ('beijing'),
    ('brussels'),
    ('downing street'),
    ('elysee'),
    ('gaza'),
    ('kiev'),
    ('knesset'),
    ('kremlin'),
    ('kyiv'),
    ('moscow'),
    ('pentagon'),
    ('washington'),
    ('west bank'),
    ('white house'),
    ('whitehall'),
    ('élysée');

-- 1. Nationality words tagged as places are NORP entities (no coordinates, the country's code).
create temp table demonym_places as
    select entity_id from entities
    where label in ('GPE', 'LOC') and lower(name) in (select word from demonym_words);
update entities set label = 'NORP', latitude = null, longitude = null, geonames_id = null, geo_type = null
    where entity_id in (select entity_id from demonym_places);
update mentions set label = 'NORP'
    where entity_id in (select entity_id from demonym_places) and label in ('GPE', 'LOC');
update entity_aliases set label = 'NORP', block_key = 'NORP:' || alias_key
    where entity_id in (select entity_id from demonym_places);

-- 2. Seats of government keep their own entity: in the country, not the country itself.
update entities set geonames_id = null
    where label in ('GPE', 'LOC', 'FAC') and geo_type = 'country' and lower(name) in (select word from seat_words);

-- 3. Entities that are one thing: places by GeoNames id, NORP by name. Survivor: most mentions.
create temp table entity_merge as
with keyed as (
    select entity_id, mention_count,
           case when label in ('GPE', 'LOC', 'FAC') and geonames_id is not null
                then 'place:gn:' || cast(geonames_id as varchar)
                when label = 'NORP' then 'norp:' || lower(name) end as thing
    from entities
),
ranked as (
    select entity_id, thing,
           first_value(entity_id) over (partition by thing
               order by coalesce(mention_count, 0) desc, entity_id) as survivor
    from keyed where thing is not null
)
select entity_id as old_id, survivor as new_id, thing from ranked;

update mentions set entity_id = m.new_id from entity_merge m
    where mentions.entity_id = m.old_id and m.old_id <> m.new_id;
update entity_aliases set entity_id = m.new_id from entity_merge m
    where entity_aliases.entity_id = m.old_id and m.old_id <> m.new_id;
update entity_aliases set block_key = 'PLACE:' || substr(m.thing, 7) from entity_merge m
    where entity_aliases.entity_id = m.new_id and m.thing like 'place:%';
update quotes set speaker_entity_id = m.new_id from entity_merge m
    where quotes.speaker_entity_id = m.old_id and m.old_id <> m.new_id;
update events set source_entity_id = m.new_id from entity_merge m
    where events.source_entity_id = m.old_id and m.old_id <> m.new_id;
update events set target_entity_id = m.new_id from entity_merge m
    where events.target_entity_id = m.old_id and m.old_id <> m.new_id;
update events set location_entity_id = m.new_id from entity_merge m
    where events.location_entity_id = m.old_id and m.old_id <> m.new_id;
update event_mentions set source_entity_id = m.new_id from entity_merge m
    where event_mentions.source_entity_id = m.old_id and m.old_id <> m.new_id;
update event_mentions set target_entity_id = m.new_id from entity_merge m
    where event_mentions.target_entity_id = m.old_id and m.old_id <> m.new_id;
update event_mentions set location_entity_id = m.new_id from entity_merge m
    where event_mentions.location_entity_id = m.old_id and m.old_id <> m.new_id;
delete from entities where entity_id in (select old_id from entity_merge where old_id <> new_id);
update entities set label = 'GPE'
    where entity_id in (select new_id from entity_merge where thing like 'place:%');
-- an alias the merge made twice (same entity, same spelling) is kept once
delete from entity_aliases where alias_id in (
    select alias_id from (select alias_id, row_number() over (partition by entity_id, alias
                                                              order by first_seen, alias_id) as n
                          from entity_aliases) where n > 1);

-- 4. The survivors' totals, as tasks/entities/store.py keeps them.
update entities set aliases = s.aliases, mention_count = s.mention_count,
       article_count = s.article_count, last_seen = s.last_seen
from (
    select m.entity_id, list(distinct m.text order by m.text) as aliases, count(*) as mention_count,
           count(distinct m.article_id) as article_count, max(a.ingested_at) as last_seen
    from mentions m join articles a using (article_id)
    where m.entity_id in (select new_id from entity_merge)
    group by m.entity_id
) s
where entities.entity_id = s.entity_id;

drop table entity_merge;
drop table demonym_places;
drop table seat_words;
drop table demonym_words;
