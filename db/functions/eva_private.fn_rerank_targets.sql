-- Whose queued stage jobs an event of this venture can put off their priority:
-- the venture's own, and those of the ventures it waits on (pending
-- dependencies), whose downstream term counts it (spec §10).
create or replace function eva_private.fn_rerank_targets(p_venture_id uuid)
returns uuid[]
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select array[p_venture_id] || array(
    select d.provider_venture_id from eva.venture_dependencies d
    where d.dependent_venture_id = p_venture_id and d.status = 'pending');
$$;
comment on function eva_private.fn_rerank_targets(uuid) is
  'The venture and the providers of its pending dependencies: whose queued stage_run jobs a re-rank for it moves.';
grant execute on function eva_private.fn_rerank_targets(uuid) to eva_service;
