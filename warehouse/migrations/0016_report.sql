-- The night report (tasks/report/night.py): where each run's HTML page was written.
alter table runs add column if not exists report_path varchar;
