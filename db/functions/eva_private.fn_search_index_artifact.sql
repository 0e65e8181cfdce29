-- A current artifact is searchable (its JSON's words); a superseded version
-- is not: a new version replaces the previous one in the index. Briefs (Stage
-- 0's venture_brief, Stage 1's idea_brief) are their own kind.
create or replace function eva_private.fn_search_index_artifact(p_artifact_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  a record;
begin
  select va.id, va.venture_id, va.lifecycle_stage, va.artifact_type, va.content, va.is_current, v.name as venture_name,
         v.archetype::text as archetype, c.stage_name
  into a
  from eva.venture_artifacts va
  join eva.ventures v on v.id = va.venture_id
  left join eva.lifecycle_stage_config c on c.stage_number = va.lifecycle_stage
  where va.id = p_artifact_id;
  if not found or not a.is_current then
    delete from eva.search_documents where source_table = 'venture_artifacts' and source_id = p_artifact_id::text;
    return;
  end if;
  perform eva_private.fn_search_put(
    case when a.artifact_type in ('venture_brief', 'idea_brief') then 'brief' else 'artifact' end,
    'venture_artifacts', a.id::text, a.venture_id, a.lifecycle_stage, a.venture_name,
    a.venture_name || ' · ' || pg_catalog.replace(a.artifact_type, '_', ' ') || ' (stage ' || a.lifecycle_stage || ')',
    pg_catalog.concat_ws(' ', pg_catalog.replace(a.artifact_type, '_', ' '), a.stage_name),
    eva_private.fn_search_jsonb_text(a.content),
    pg_catalog.concat_ws(' ', 'artifact', pg_catalog.replace(a.artifact_type, '_', ' '), a.stage_name, a.archetype));
end;
$$;
comment on function eva_private.fn_search_index_artifact(uuid) is
  'Writes a current artifact''s search document (or removes a superseded version''s).';
