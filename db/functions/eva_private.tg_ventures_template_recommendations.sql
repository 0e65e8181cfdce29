-- A new venture at Stage 1 receives its template recommendations (spec §10)
-- in the transaction that creates it: the best three by domain similarity.
create or replace function eva_private.tg_ventures_template_recommendations()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into eva.venture_template_recommendations (venture_id, template_id, similarity)
  select new.id, r.template_id, r.score from eva.fn_recommend_templates(new.id, 3) r
  on conflict (venture_id, template_id) do nothing;
  if found then
    perform eva_private.fn_log_event('knowledge.templates_recommended', new.id, pg_catalog.jsonb_build_object(
      'templates', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('template_id', t.template_id,
        'similarity', t.similarity) order by t.similarity desc)
        from eva.venture_template_recommendations t where t.venture_id = new.id)));
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_ventures_template_recommendations() is
  'Trigger: records the templates recommended to a new venture (eva.fn_recommend_templates, best three) and logs knowledge.templates_recommended.';

create or replace trigger _830_template_recommendations after insert on eva.ventures
  for each row execute function eva_private.tg_ventures_template_recommendations();
