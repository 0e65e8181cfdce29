-- The analysis cache: internal; services use eva_private.fn_analysis_cache_get/put.
alter table eva_private.analysis_cache enable row level security;
