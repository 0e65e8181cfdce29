-- One writer per state change: a content item's lifecycle state, cycle,
-- generation, loops and block change only inside EVA's marketing functions
-- (marketing.fn_content_transition and the record/block functions, which mark
-- the row they change); a bare UPDATE from any role is refused, and content
-- is never deleted.
create or replace function eva_private.tg_marketing_content_guard()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'marketing content is never deleted' using errcode = 'EV430';
  end if;
  if tg_op = 'INSERT' then
    if new.lifecycle_state <> 'IDEATE' or new.status <> 'active' or new.generation <> 0 or new.review_loops <> 0 or new.cycle <> 1 then
      raise exception 'content starts in IDEATE, active, generation 0' using errcode = 'EV400';
    end if;
    return new;
  end if;
  if (new.id, new.venture_id, new.created_at, new.origin) is distinct from (old.id, old.venture_id, old.created_at, old.origin) then
    raise exception 'a content item''s id, venture and origin cannot change' using errcode = 'EV400';
  end if;
  if (new.lifecycle_state, new.cycle, new.generation, new.review_loops, new.status, new.blocked_reason, new.state_changed_at)
     is distinct from (old.lifecycle_state, old.cycle, old.generation, old.review_loops, old.status, old.blocked_reason, old.state_changed_at)
     and pg_catalog.current_setting('marketing.transitioning', true) is distinct from old.id::text then
    raise exception 'content % changes state only through marketing.fn_content_transition', old.id
      using errcode = 'EV403',
      hint = 'select marketing.fn_content_transition(''' || old.id || ''', <state>, <detail>): it checks the move and logs it.';
  end if;
  if new.metadata ->> 'lifecycle_state' is distinct from new.lifecycle_state then
    new.metadata := new.metadata || pg_catalog.jsonb_build_object('lifecycle_state', new.lifecycle_state);
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_marketing_content_guard() is
  'Trigger: content starts in IDEATE; its state, cycle, generation and block change only inside marketing.fn_content_transition and EVA''s record functions; never deleted.';

create or replace trigger _010_guard before insert or update or delete on marketing.marketing_content
  for each row execute function eva_private.tg_marketing_content_guard();
