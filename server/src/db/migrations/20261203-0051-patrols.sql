-- Grid workers' and supervisors' patrols (巡查): the GPS track as recorded, the spans where the
-- phone stopped reporting (gaps), and the distance and time computed once on arrival, so that a
-- day's figures per worker are a sum (docs/decisions/0030).
create table patrols (
  region_code text not null,
  id uuid not null,
  user_id uuid not null references users (id),
  -- The patroller's scope when the patrol was sent: supervisors and leaders above it read it.
  division_code text not null check (division_code ~ '^[0-9]{6,12}$'),
  started_at timestamptz not null,
  ended_at timestamptz not null check (ended_at > started_at),
  -- The day of started_at in China Standard Time, the day the patrol counts for.
  day date not null,
  -- [[lng, lat, epoch milliseconds, accuracy metres], …] in time order.
  track jsonb not null check (jsonb_typeof(track) = 'array'),
  -- [{"from": index, "to": index, "reason": "silence" | "jump", "seconds": n}, …]: consecutive
  -- points whose segment is neither drawn nor counted.
  gaps jsonb not null check (jsonb_typeof(gaps) = 'array'),
  point_count integer not null check (point_count >= 0),
  distance_meters double precision not null check (distance_meters >= 0),
  tracked_seconds integer not null check (tracked_seconds >= 0),
  created_at timestamptz not null default now(),
  primary key (region_code, id)
);
create index patrols_by_division_day on patrols (region_code, division_code, day);
create index patrols_by_user_day on patrols (user_id, day);
