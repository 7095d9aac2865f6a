-- Saved views of the case queue, one list per user (docs/decisions/0025). The query is the queue's
-- URL query (queue=centre&status=registered…), checked by the list query's schema when saved.
create table saved_filters (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  query text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint saved_filters_name_per_user unique (user_id, name)
);
