-- GDELT 2.0's mentions table: one row per report of an event (16 columns, GDELT's order and conventions).
-- MentionType 1 (a web or file document); SentenceID counts from 1; the char offsets are where the
-- actors' and the trigger's words start in the article (-1 when not found); Confidence in percent.
with reports as (
    select m.*, a.url, a.source, a.site_name, a.outlet, a.text as article_text,
           coalesce(a.published_at, a.ingested_at) as report_time,
           min(coalesce(a.published_at, a.ingested_at)) over (partition by m.event_id) as event_time
    from event_mentions as m
    join articles as a using (article_id)
    where m.event_id is not null
)
select
    cast(('0x' || substr(r.event_id, 1, 15)) as bigint) as GLOBALEVENTID,
    cast(strftime(timezone('UTC', r.event_time), '%Y%m%d%H%M%S') as bigint) as EventTimeDate,
    cast(strftime(timezone('UTC', r.report_time), '%Y%m%d%H%M%S') as bigint) as MentionTimeDate,
    cast(1 as integer) as MentionType,
    cast(coalesce(r.outlet, r.site_name, regexp_extract(r.url, '^[a-z]+://([^/]+)', 1), r.source) as varchar) as MentionSourceName,
    cast(coalesce(r.url, r.source) as varchar) as MentionIdentifier,
    cast(coalesce(r.sentence_index, 0) + 1 as integer) as SentenceID,
    cast(case when r.source_text is not null and strpos(r.sentence, r.source_text) > 0
              then r.start_char + strpos(r.sentence, r.source_text) - 1 else -1 end as integer) as Actor1CharOffset,
    cast(case when r.target_text is not null and strpos(r.sentence, r.target_text) > 0
              then r.start_char + strpos(r.sentence, r.target_text) - 1 else -1 end as integer) as Actor2CharOffset,
    cast(case when strpos(r.sentence, split_part(r.trigger, ' ', 1)) > 0
              then r.start_char + strpos(r.sentence, split_part(r.trigger, ' ', 1)) - 1 else -1 end as integer)
        as ActionCharOffset,
    cast(1 as integer) as InRawText,
    cast(round(100 * coalesce(r.confidence, 0)) as integer) as Confidence,
    cast(length(r.article_text) as integer) as MentionDocLen,
    cast(null as double) as MentionDocTone,
    cast(null as varchar) as MentionDocTranslationInfo,
    cast(null as varchar) as Extras
from reports as r
