-- Up Migration

-- An artifact's file is a web address (http or https), never file: or javascript:.
alter table eva.venture_artifacts
  add constraint venture_artifacts_file_url_check
  check (file_url is null or file_url ~* '^https?://[^/?#[:space:]]+([/?#][^[:space:]]*)?$');
