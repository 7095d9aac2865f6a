-- Request counters of the rate limits, shared by every server process: one row per caller (an
-- address, a user, a user's API keys), counting the requests of its current one-minute window; the
-- next request after window_ends starts a new window in the same row. Unlogged: counters are not
-- worth a WAL write and a flush per request, and a crash that empties them only forgives a minute.
create unlogged table rate_limits (
  bucket text primary key,
  window_ends timestamptz not null,
  hits integer not null
);

-- Finds the rows whose window has passed, to delete them.
create index rate_limits_window_ends on rate_limits (window_ends);
