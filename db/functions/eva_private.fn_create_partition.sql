-- Creates the partition of a registered table for one UTC month, named
-- <table>_pYYYYMM in the policy's partition schema, with RLS enabled (nobody
-- but the owner reads a partition directly; readers go through the parent).
-- Idempotent: an existing partition for the month is left alone. Rows of that
-- month already sitting in the DEFAULT partition would make PostgreSQL refuse
-- the new partition; that is said plainly instead.
create or replace function eva_private.fn_create_partition(p_table text, p_month date)
returns text
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_policy eva_private.partition_policies;
  v_from timestamptz := pg_catalog.timezone('UTC', pg_catalog.date_trunc('month', p_month::timestamp));
  v_to timestamptz := pg_catalog.timezone('UTC', pg_catalog.date_trunc('month', p_month::timestamp) + interval '1 month');
  v_name text := pg_catalog.split_part(p_table, '.', 2) || '_p' || pg_catalog.to_char(p_month, 'YYYYMM');
  v_default text;
  v_stuck boolean;
begin
  select * into v_policy from eva_private.partition_policies p where p.table_name = p_table;
  if not found then
    raise exception 'no partition policy for %', p_table using errcode = 'EV404',
      hint = 'Register the table in eva_private.partition_policies first.';
  end if;
  if exists (select 1 from eva_private.fn_partitions() f where f.table_name = p_table and f.range_from = v_from) then
    return null;
  end if;
  select f.partition_name into v_default from eva_private.fn_partitions() f where f.table_name = p_table and f.is_default;
  if v_default is not null then
    execute pg_catalog.format('select exists (select 1 from %s where %I >= $1 and %I < $2)', v_default,
      v_policy.partition_column, v_policy.partition_column) into v_stuck using v_from, v_to;
    if v_stuck then
      raise exception 'the DEFAULT partition % holds rows of %, so its monthly partition cannot be created', v_default,
        pg_catalog.to_char(p_month, 'YYYY-MM') using errcode = 'EV409',
        hint = 'Move those rows out of the DEFAULT partition (as eva_owner) and run the partition maintenance again.';
    end if;
  end if;
  execute pg_catalog.format('create table %I.%I partition of %s for values from (%L) to (%L)',
    v_policy.partition_schema, v_name, p_table, v_from, v_to);
  execute pg_catalog.format('alter table %I.%I enable row level security', v_policy.partition_schema, v_name);
  return pg_catalog.quote_ident(v_policy.partition_schema) || '.' || pg_catalog.quote_ident(v_name);
end;
$$;
comment on function eva_private.fn_create_partition(text, date) is
  'Creates the monthly (UTC) partition <table>_pYYYYMM of a registered table for the month of p_month; returns its name, or null when it existed.';
