-- Decision integrity for every path (SQL, CLI, GraphQL): only the Chairman
-- decides, only through eva.fn_decide, a decision is made once, and nothing is
-- ever deleted.
create or replace function eva_private.tg_chairman_decisions_guard()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'chairman decisions are never deleted' using errcode = 'EV430',
      hint = 'Withdraw a pending decision (status withdrawn) instead.';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'a decision is opened as pending, not %', new.status using errcode = 'EV400';
    end if;
    return new;
  end if;
  -- An approved Stage 0 review records the venture it created, once.
  if old.status = 'decided' and old.lifecycle_stage = 0 and old.venture_id is null and new.venture_id is not null
     and (pg_catalog.to_jsonb(new) - 'venture_id' - 'updated_at') = (pg_catalog.to_jsonb(old) - 'venture_id' - 'updated_at') then
    return new;
  end if;
  if old.status <> 'pending' then
    raise exception 'decision % is already %', old.id,
      old.status::text || coalesce(' (' || old.decision || ')', '')
      using errcode = 'EV409', hint = 'A decision is made once; replays are refused.';
  end if;
  -- Deciding goes through eva.fn_decide alone: it refuses stale context and
  -- applies the decision's effect, which a bare UPDATE would skip.
  if new.status = 'decided' and pg_catalog.current_setting('eva.deciding', true) is distinct from old.id::text then
    raise exception 'decision % can be decided only through eva.fn_decide', old.id
      using errcode = 'EV403',
      hint = 'select eva.fn_decide(''' || old.id || ''', <decision>, <notes>): it checks the decision is not stale and applies it.';
  end if;
  if new.status = 'decided' and not eva.fn_is_chairman() then
    raise exception 'only the Chairman may decide (caller: %)', eva_private.fn_caller_role()
      using errcode = 'EV403';
  end if;
  -- Who decided and when are facts the database records, not claims a client makes.
  if new.status = 'decided' then
    new.decided_by := eva_private.fn_caller_role();
    new.decided_at := pg_catalog.now();
  end if;
  if (new.id, new.venture_id, new.lifecycle_stage, new.decision_type, new.created_at)
     is distinct from (old.id, old.venture_id, old.lifecycle_stage, old.decision_type, old.created_at)
     and not (old.lifecycle_stage = 0 and old.venture_id is null
              and (new.id, new.lifecycle_stage, new.decision_type, new.created_at)
                  is not distinct from (old.id, old.lifecycle_stage, old.decision_type, old.created_at)) then
    raise exception 'a decision''s venture, stage and type cannot change' using errcode = 'EV400';
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_chairman_decisions_guard() is
  'Trigger: decisions open as pending, are decided once, only by the Chairman and only through eva.fn_decide (who and when stamped here), and are never deleted.';

create or replace trigger _010_guard before insert or update or delete on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_guard();
