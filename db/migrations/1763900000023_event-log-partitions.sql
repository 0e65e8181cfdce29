-- Up Migration

-- Retention by design (issue #10, point 7). The event log grows with every
-- stage run, forever; deleting old events row by row would break its
-- append-only guarantee and bloat it. Instead it becomes a natively
-- partitioned table (RANGE on created_at, one partition per month plus a
-- DEFAULT), and a generic manager keeps partitions created ahead and archives,
-- then drops, the ones past their table's retention (eva_private.partition_policies,
-- src/orchestration/retention.ts). What an audit needs does not live only in
-- the log: decisions (eva.chairman_decisions), stage transitions
-- (eva.venture_stage_transitions), state history (eva.venture_state_history)
-- and artifact versions (eva.venture_artifacts) are their own tables and are
-- never partitioned or dropped; an archived partition stays readable in the
-- archive store, its checksum and row count recorded in eva.partition_archives.
--
-- Partitions live in their own schema, eva_partitions: nobody but eva_owner
-- may use it (the log is read through eva.eva_event_log, under its RLS), the
-- API never sees them, and the committed schema dump (eva, eva_private) does
-- not change every month as partitions come and go.
create schema if not exists eva_partitions authorization eva_owner;
comment on schema eva_partitions is
  'Partitions of EVA''s time-partitioned tables (eva.eva_event_log, ...), created and dropped by the partition manager; read them through their parent table.';

-- The registry the manager works from: one row per partitioned table.
create table eva_private.partition_policies (
  table_name text primary key check (table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'),
  partition_column text not null,
  period text not null default 'month' check (period = 'month'),
  partition_schema text not null default 'eva_partitions',
  months_ahead int not null default 3 check (months_ahead between 1 and 24),
  keep_months int not null default 24 check (keep_months >= 1),
  archive_before_drop boolean not null default true,
  note text,
  updated_at timestamptz not null default now()
);
comment on table eva_private.partition_policies is
  'The partition manager''s registry: per time-partitioned table, its partition column, period (month), how many months ahead to create, how many whole months before the current one stay live (keep_months), and whether a partition is archived before it is dropped. Change retention with an UPDATE as eva_owner.';

-- Every partition archived and dropped: what it held and where it went.
create table eva.partition_archives (
  id bigint generated always as identity primary key,
  table_name text not null,
  partition_name text not null,
  range_from timestamptz not null,
  range_to timestamptz not null check (range_to > range_from),
  row_count bigint not null check (row_count >= 0),
  uri text,
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bigint check (bytes >= 0),
  archived_at timestamptz not null default now(),
  unique (table_name, partition_name),
  check ((uri is null) = (sha256 is null))
);
comment on table eva.partition_archives is
  'Partitions moved out of the live database by the retention manager: the table, the partition and its range, how many rows it held, and the archive (gzip JSON lines, one row each) with its SHA-256. Written before the partition is dropped, in the same transaction.';

-- Converting the log. Other migrations (and other branches' earlier-numbered
-- ones) add triggers, indexes and references to it that this file cannot
-- name, so everything attached to the old table is read from the catalog
-- and re-created on the new one: triggers (pg_get_triggerdef, enabled state
-- kept), indexes, its own foreign keys, comments, the views and functions
-- bound to its row type. db/functions and db/policies re-create their own
-- objects, RLS policies and grants after every migration as usual.
do $$
declare
  v_old regclass := 'eva.eva_event_log'::regclass;
  v_type oid := (select c.reltype from pg_catalog.pg_class c where c.oid = 'eva.eva_event_log'::regclass);
  v_seq text := pg_catalog.pg_get_serial_sequence('eva.eva_event_log', 'id');
  v_last bigint;
  v_called boolean;
  v_first date;
  v_month date;
  v_name text;
  v_columns text;
  r record;
begin
  create temp table _el_triggers on commit drop as
    select t.tgname::text as name, pg_catalog.pg_get_triggerdef(t.oid) as def, t.tgenabled
    from pg_catalog.pg_trigger t where t.tgrelid = v_old and not t.tgisinternal;
  create temp table _el_indexes on commit drop as
    select pg_catalog.pg_get_indexdef(i.indexrelid) as def
    from pg_catalog.pg_index i
    where i.indrelid = v_old
      and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid and k.conrelid = v_old);
  create temp table _el_own_constraints on commit drop as
    select k.conname::text as name, pg_catalog.pg_get_constraintdef(k.oid) as def
    from pg_catalog.pg_constraint k where k.conrelid = v_old and k.contype in ('f', 'u', 'x');
  -- References to the log by id cannot stay foreign keys: a unique key of a
  -- partitioned table must include created_at, and a referenced row would
  -- forbid dropping its partition. They become checks at write time
  -- (eva_private.tg_event_reference_exists, registered in eva_private.event_references).
  create temp table _el_references on commit drop as
    select k.conrelid::regclass::text as table_name, k.conname::text as name,
      (select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = k.conrelid and a.attnum = k.conkey[1]) as column_name,
      pg_catalog.cardinality(k.conkey) as columns
    -- conparentid = 0: a partitioned referencing table's own constraint, not its partitions' clones.
    from pg_catalog.pg_constraint k where k.confrelid = v_old and k.contype = 'f' and k.conparentid = 0;
  create temp table _el_views on commit drop as
    with recursive dependent(oid) as (
      select rw.ev_class from pg_catalog.pg_depend d join pg_catalog.pg_rewrite rw on rw.oid = d.objid
      where d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refobjid = v_old and rw.ev_class <> v_old
      union
      select rw.ev_class from pg_catalog.pg_depend d join pg_catalog.pg_rewrite rw on rw.oid = d.objid
      join dependent p on d.refobjid = p.oid
      where d.classid = 'pg_catalog.pg_rewrite'::regclass and rw.ev_class <> p.oid
    )
    select c.oid, n.nspname::text as schema_name, c.relname::text as name, c.relkind,
      pg_catalog.pg_get_viewdef(c.oid) as def, c.reloptions, pg_catalog.obj_description(c.oid, 'pg_class') as note
    from dependent d join pg_catalog.pg_class c on c.oid = d.oid join pg_catalog.pg_namespace n on n.oid = c.relnamespace;
  create temp table _el_functions on commit drop as
    select p.oid, p.oid::regprocedure::text as signature, pg_catalog.pg_get_functiondef(p.oid) as def,
      pg_catalog.obj_description(p.oid, 'pg_proc') as note
    from pg_catalog.pg_proc p
    where p.prorettype = v_type or v_type = any (p.proargtypes::oid[]) or v_type = any (coalesce(p.proallargtypes, '{}'));

  if exists (select 1 from _el_references where columns <> 1) then
    raise exception 'a multi-column foreign key references eva.eva_event_log; convert it by hand' using errcode = 'EV500';
  end if;
  if exists (select 1 from _el_views where relkind <> 'v') then
    raise exception 'a materialized view depends on eva.eva_event_log; convert it by hand' using errcode = 'EV500';
  end if;

  for r in select * from _el_views order by oid desc loop
    execute pg_catalog.format('drop view %I.%I', r.schema_name, r.name);
  end loop;
  for r in select * from _el_functions loop
    execute pg_catalog.format('drop function %s', r.signature);
  end loop;
  for r in select * from _el_references loop
    execute pg_catalog.format('alter table %s drop constraint %I', r.table_name, r.name);
  end loop;

  execute 'alter table eva.eva_event_log rename to eva_event_log_unpartitioned';
  execute pg_catalog.format('alter sequence %s rename to eva_event_log_unpartitioned_id_seq', v_seq);
  execute 'create table eva.eva_event_log (like eva.eva_event_log_unpartitioned including all excluding indexes) partition by range (created_at)';

  -- A partition for every month from the oldest event to three months ahead, and the DEFAULT.
  -- Months are UTC months, whatever the session's time zone.
  select pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', coalesce(pg_catalog.min(created_at), pg_catalog.now())))::date
  into v_first from eva.eva_event_log_unpartitioned;
  v_month := least(v_first, pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))::date);
  while v_month <= (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) + interval '3 months')::date loop
    v_name := 'eva_event_log_p' || pg_catalog.to_char(v_month, 'YYYYMM');
    execute pg_catalog.format('create table eva_partitions.%I partition of eva.eva_event_log for values from (%L) to (%L)',
      v_name, pg_catalog.timezone('UTC', v_month::timestamp), pg_catalog.timezone('UTC', (v_month + interval '1 month')::timestamp));
    execute pg_catalog.format('alter table eva_partitions.%I enable row level security', v_name);
    v_month := (v_month + interval '1 month')::date;
  end loop;
  execute 'create table eva_partitions.eva_event_log_default partition of eva.eva_event_log default';
  execute 'alter table eva_partitions.eva_event_log_default enable row level security';

  select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum) into v_columns
  from pg_catalog.pg_attribute a
  where a.attrelid = 'eva.eva_event_log_unpartitioned'::regclass and a.attnum > 0 and not a.attisdropped
    and a.attgenerated = '';
  execute pg_catalog.format('insert into eva.eva_event_log (%s) overriding system value select %s from eva.eva_event_log_unpartitioned order by id',
    v_columns, v_columns);
  execute 'select last_value, is_called from eva.eva_event_log_unpartitioned_id_seq' into v_last, v_called;
  perform pg_catalog.setval(pg_catalog.pg_get_serial_sequence('eva.eva_event_log', 'id'), v_last, v_called);
  drop table eva.eva_event_log_unpartitioned;

  alter table eva.eva_event_log add constraint eva_event_log_pkey primary key (id, created_at);
  for r in select * from _el_indexes loop
    execute r.def;
  end loop;
  for r in select * from _el_own_constraints loop
    execute pg_catalog.format('alter table eva.eva_event_log add constraint %I %s', r.name, r.def);
  end loop;
  for r in select * from _el_triggers order by name loop
    execute r.def;
    if r.tgenabled = 'D' then
      execute pg_catalog.format('alter table eva.eva_event_log disable trigger %I', r.name);
    end if;
  end loop;
  -- Bodies are checked when called: the functions come back in creation order, a caller maybe before its callee.
  perform pg_catalog.set_config('check_function_bodies', 'off', true);
  for r in select * from _el_functions order by oid loop
    execute r.def;
    if r.note is not null then
      execute pg_catalog.format('comment on function %s is %L', r.signature, r.note);
    end if;
  end loop;
  for r in select * from _el_views order by oid loop
    execute pg_catalog.format('create view %I.%I%s as %s', r.schema_name, r.name,
      case when r.reloptions is null then '' else ' with (' || pg_catalog.array_to_string(r.reloptions, ', ') || ')' end,
      r.def);
    if r.note is not null then
      execute pg_catalog.format('comment on view %I.%I is %L', r.schema_name, r.name, r.note);
    end if;
  end loop;

  create table eva_private.event_references (
    table_name text not null,
    column_name text not null,
    replaced_constraint text not null,
    primary key (table_name, column_name)
  );
  insert into eva_private.event_references (table_name, column_name, replaced_constraint)
  select table_name, column_name, name from _el_references;
end
$$;

comment on table eva_private.event_references is
  'Columns that referenced eva.eva_event_log (id) by foreign key before the log was partitioned: each is checked at write time by a trigger (eva_private.tg_event_reference_exists) instead, and keeps pointing at an archived event once its partition is archived (eva.partition_archives says where).';
alter table eva.eva_event_log enable row level security;
comment on table eva.eva_event_log is
  'Append-only event log (the event bus''s persistence), partitioned by month on created_at (partitions in eva_partitions; retention in eva_private.partition_policies, archives in eva.partition_archives); each transaction that logs events NOTIFYs channel eva_events once. Read it in commit order through eva.fn_event_feed and the cursor column.';

insert into eva_private.partition_policies (table_name, partition_column, months_ahead, keep_months, archive_before_drop, note)
values ('eva.eva_event_log', 'created_at', 3, 24, true,
  'Two years live, then archived (gzip JSON lines with SHA-256) and dropped; decisions, transitions, state history and artifact versions are kept in their own tables regardless.');

-- Down Migration
-- The log stays partitioned (turning it back would take the same conversion
-- in reverse); the manager's tables go.
drop table eva_private.event_references, eva.partition_archives, eva_private.partition_policies;
