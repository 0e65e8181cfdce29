-- The daily partition tick's first half: every registered table gets its
-- partitions from the current month to months_ahead months ahead, on both
-- clocks (the real one, which stamps rows, and the scheduler's, which tests
-- and operators move), so inserts never fall into the DEFAULT partition.
create or replace function eva_private.fn_create_upcoming_partitions(p_now timestamptz default null)
returns setof text
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := coalesce(p_now, eva.fn_scheduler_now());
  v_policy eva_private.partition_policies;
  v_month date;
  v_last date;
  v_created text;
begin
  for v_policy in select * from eva_private.partition_policies order by table_name loop
    v_month := pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', least(v_now, pg_catalog.now())))::date;
    v_last := (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', greatest(v_now, pg_catalog.now())))
      + pg_catalog.make_interval(months => v_policy.months_ahead))::date;
    while v_month <= v_last loop
      v_created := eva_private.fn_create_partition(v_policy.table_name, v_month);
      if v_created is not null then
        return next v_created;
      end if;
      v_month := (v_month + interval '1 month')::date;
    end loop;
  end loop;
end;
$$;
comment on function eva_private.fn_create_upcoming_partitions(timestamptz) is
  'Creates the missing monthly partitions of every registered table from this month to months_ahead ahead (scheduler time and real time); returns the ones it created.';
grant execute on function eva_private.fn_create_upcoming_partitions(timestamptz) to eva_service;
