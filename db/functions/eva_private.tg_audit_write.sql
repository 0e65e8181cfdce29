-- Every write a request role makes straight to a table (GraphQL's generic
-- create/update/delete, or SQL as eva_chairman / eva_service) leaves an
-- audit.write event: who (role and the token's sub), the table, the row, and
-- each changed column before → after. Writes made inside EVA's own functions
-- (which run as eva_owner) log their own domain events instead: the
-- triggers' WHEN fires only for the request roles. One function, attached
-- below to every table a request role may write.
create or replace function eva_private.tg_audit_write()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then pg_catalog.to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then pg_catalog.to_jsonb(new) end;
  v_row jsonb := coalesce(v_new, v_old);
  v_changes jsonb;
  v_key jsonb;
  v_venture uuid;
begin
  select coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_build_object(
      'before', coalesce(v_old -> k, 'null'::jsonb), 'after', coalesce(v_new -> k, 'null'::jsonb))), '{}'::jsonb)
  into v_changes
  from pg_catalog.jsonb_object_keys(v_row) k
  where k not in ('updated_at') and (v_old -> k) is distinct from (v_new -> k);
  if tg_op = 'UPDATE' and v_changes = '{}'::jsonb then
    return null;
  end if;
  -- The row's key: its id, else its composite primary key's columns.
  select coalesce(pg_catalog.jsonb_object_agg(a.attname, v_row -> a.attname::text), '{}'::jsonb) into v_key
  from pg_catalog.pg_index i
  join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
  where i.indrelid = tg_relid and i.indisprimary;
  v_venture := case when tg_table_name = 'ventures' then (v_row ->> 'id')::uuid
    else (v_row ->> 'venture_id')::uuid end;
  perform eva_private.fn_log_event('audit.write',
    -- A deleted venture's events cannot point at it.
    case when tg_op = 'DELETE' and tg_table_name = 'ventures' then null else v_venture end,
    pg_catalog.jsonb_build_object(
      'table', tg_table_schema || '.' || tg_table_name,
      'op', pg_catalog.lower(tg_op),
      'row', v_key,
      'role', eva_private.fn_caller_role(),
      'sub', nullif(pg_catalog.current_setting('jwt.claims.sub', true), ''),
      'changes', v_changes));
  return null;
end;
$$;
comment on function eva_private.tg_audit_write() is
  'Trigger: logs an audit.write event (role, jwt sub, table, row key, changed columns before → after) for a write a request role makes directly.';

-- The tables a request role may write (db/policies grants insert, update or
-- delete on them). chairman_decisions is left out: its rows are events already
-- (chairman.decision_requested, chairman.<outcome>), and eva_event_log is the
-- log. A new artifact version is logged as artifact.created (with its actor),
-- so only its changes are audited here. venture_dependencies is written only
-- through eva.fn_add_venture_dependency / fn_remove_venture_dependency, which log
-- dependency.* events.
drop trigger if exists _850_audit_write on eva.venture_dependencies;
do $$
declare
  t text;
begin
  foreach t in array array['agent_task_contracts', 'chairman_preferences', 'companies', 'eva_alerts', 'eva_event_dlq',
    'portfolio_ideation_budgets', 'portfolios', 'venture_artifacts', 'venture_circuit_breakers',
    'venture_nursery', 'venture_phase_budgets', 'venture_token_budgets', 'ventures']
  loop
    execute pg_catalog.format(
      'create or replace trigger _850_audit_write after %s on eva.%I for each row '
      'when (current_user in (''eva_chairman'', ''eva_service'', ''eva_viewer'', ''eva_anonymous'')) '
      'execute function eva_private.tg_audit_write()',
      case t when 'venture_artifacts' then 'update or delete' else 'insert or update or delete' end, t);
  end loop;
end
$$;
