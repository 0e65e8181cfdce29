-- Up Migration

-- eva.fn_search ranks at most the first 200 venture-name documents a query
-- matches; it finds them through these partial indexes (a few hundred rows)
-- instead of every document's title. The full-title trigram index of
-- migration 044 stays for other documents' titles.
create index if not exists search_documents_name_trgm_idx on eva.search_documents
  using gin (title eva_ext.gin_trgm_ops) where kind = 'name';
create index if not exists search_documents_name_document_idx on eva.search_documents
  using gin (document) where kind = 'name';

-- Down Migration
drop index if exists eva.search_documents_name_document_idx;
drop index if exists eva.search_documents_name_trgm_idx;
