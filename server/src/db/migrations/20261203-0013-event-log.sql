-- The case event log (docs/decisions/0017): one commit-ordered feed of case changes per region,
-- read by the live event stream and by whatever else follows the district's cases as they change.

-- The last position handed out in each region. Its row is locked by the transaction that takes a
-- position until that transaction commits, so positions follow commit order.
create table case_event_log_heads (
  region_code text primary key,
  position bigint not null
);

-- What a reader needs to decide who may see an entry and what to refresh; no personal data (no
-- reporter, no note, no text). `department_code` is the department the case is dispatched to, else
-- its default department. `at` is the time of the commit that wrote it.
create table case_event_log (
  region_code text not null,
  position bigint not null,
  at timestamptz not null default clock_timestamp(),
  event_id uuid not null,
  case_id uuid not null,
  number text not null,
  action text not null,
  status text not null,
  level text not null,
  street_code text not null,
  community_code text not null,
  grid_code text not null,
  department_code text,
  primary key (region_code, position)
);
-- The housekeeping purge deletes by age.
create index case_event_log_at on case_event_log (at);

-- Runs at commit (a deferred trigger), as the transaction's last work: takes the region's next
-- position, which holds the head row's lock until the commit, so a transaction that commits later
-- can only take a later position. The case is read as the transaction leaves it.
create function case_event_log_append() returns trigger language plpgsql as $$
declare
  taken bigint;
begin
  insert into case_event_log_heads as head (region_code, position) values (new.region_code, 1)
    on conflict (region_code) do update set position = head.position + 1
    returning head.position into taken;
  insert into case_event_log (region_code, position, event_id, case_id, number, action, status, level,
    street_code, community_code, grid_code, department_code)
  select new.region_code, taken, new.id, c.id, c.number, new.action, new.to_status, new.level,
    c.street_code, c.community_code, c.grid_code,
    coalesce((select d.code from departments as d where d.id::text = c.assignment->>'departmentId'), c.department_code)
  from cases as c where c.region_code = new.region_code and c.id = new.case_id;
  -- Delivered at commit, once per transaction and region, to every server that listens.
  perform pg_notify('case_event_log', new.region_code);
  return null;
end
$$;

-- Every case event, whichever code writes it; a bulk load of history (the demo's generated cases)
-- sets gridgov.case_event_log to 'off' in its transaction, since that history is not news.
create constraint trigger case_events_logged after insert on case_events
  deferrable initially deferred
  for each row
  when (coalesce(current_setting('gridgov.case_event_log', true), '') <> 'off')
  execute function case_event_log_append();
