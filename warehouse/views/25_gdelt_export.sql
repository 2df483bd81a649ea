-- Compatibility alias: the earlier name of gdelt_events (its columns are now GDELT 2.0's, see gdelt_events).
select * from gdelt_events
