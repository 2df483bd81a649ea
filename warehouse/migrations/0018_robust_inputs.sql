-- Robust inputs (issue 14): one quarantine row per input and reason however often it is seen,
-- what decoding repaired or found truncated, what a run skipped on purpose.

-- quarantine_id is now sha256(stage, source, reason, payload) without the run: a re-run that meets
-- the same bad input updates its row (run_id = the run that last saw it, last_seen, times_seen).
alter table quarantine add column if not exists last_seen timestamptz;      -- the latest run that met it
alter table quarantine add column if not exists first_run_id varchar;       -- the run that met it first
alter table quarantine add column if not exists times_seen integer default 1;
update quarantine set last_seen = created_at, first_run_id = run_id, times_seen = coalesce(times_seen, 1)
where last_seen is null;

-- null, or what decoding did beyond reading the declared/detected codec: mixed encodings decoded
-- line by line, a charset declaration the bytes contradict, mojibake repaired, a cut WARC record,
-- lone surrogates replaced (tasks/sources/decoding.py, jsonl.py, tasks/fetch/warc.py)
alter table raw_documents add column if not exists decode_note varchar;
alter table articles add column if not exists decode_note varchar;

-- what the input walk skipped without reading: hidden files, newsflow's own outputs inside an
-- input folder, folders reached twice through symlinks; [{"reason", "count", "examples"}]
alter table runs add column if not exists skipped json;
