-- Open311 GeoReport v2 (docs/decisions/0039, docs/open311.md).
--
-- Categories are offered to Open311 clients as services, and their cases shown in the public
-- request list, only when marked public; every existing category stays public.
alter table categories add column public boolean not null default true;

-- One row per request an Open311 client posted: the token it was given (only its SHA-256 is
-- kept; it is never the resident's tracking token), the case it made, the key's user, a keyed
-- hash of the request to recognise a client's retry, and the contact details Open311 carries
-- beside the reporter's name and phone (kept on the case): personal data, never answered.
create table open311_requests (
  token_hash text primary key,
  region_code text not null,
  case_id uuid not null,
  case_number text not null,
  user_id uuid not null references users (id),
  request_hash text not null,
  email text,
  device_id text,
  account_id text,
  created_at timestamptz not null default now()
);
create index open311_requests_retry on open311_requests (user_id, request_hash, created_at);

-- Comments a client posted through servicerequestupdates, by the client's own id for its comment
-- (`update_id_ext`), so that a client posting it again gets the same update and no second entry.
create table open311_update_posts (
  user_id uuid not null references users (id),
  update_id_ext text not null check (length(update_id_ext) between 1 and 100),
  region_code text not null,
  case_id uuid not null,
  event_id uuid not null,
  email text,
  created_at timestamptz not null default now(),
  primary key (user_id, update_id_ext)
);
