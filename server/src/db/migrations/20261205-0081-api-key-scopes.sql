-- API keys for machine clients (docs/decisions/0040): the organisation a key serves, what it may do
-- (scopes), its own request limit and an optional expiry; who revoked it. Keys made before keep
-- working as they did: they read and report, at the configured limit, without expiry.
alter table api_keys
  add column organisation text not null default '',
  add column scopes text[] not null default '{read,report}',
  add column requests_per_minute integer,
  add column expires_at timestamptz,
  add column revoked_by uuid;
alter table api_keys alter column organisation drop default;
alter table api_keys add constraint api_keys_scopes check (
  cardinality(scopes) between 1 and 3 and scopes <@ '{read,report,exchange}'::text[]
);
alter table api_keys add constraint api_keys_requests_per_minute check (requests_per_minute between 1 and 60000);
create index api_keys_user on api_keys (user_id);

-- A case event written by a request made with an API key names the key (the timeline shows it).
alter table case_events add column api_key_id uuid;
