-- Evaluation rollups (docs/decisions/0033): counts per day that indicators read instead of the case
-- history, kept exact by the database in the statement that changes a case, and rebuilt from the
-- case events.

-- The moments and facts indicators count by, written by the workflow with each transition.
alter table cases add column registered_at timestamptz;
alter table cases add column dispatched_at timestamptz;
alter table cases add column acknowledged_at timestamptz;
-- Acknowledged (签收) within the region's response limit after the first dispatch: the response rate.
alter table cases add column responded_on_time boolean;
alter table cases add column handled_at timestamptz;
alter table cases add column handled_by uuid;
-- Working minutes from the first dispatch to the last handling: the average handling time.
alter table cases add column handling_minutes integer;
alter table cases add column extension_count integer not null default 0;
-- An appeal (考核申诉) the evaluation office accepted: the case no longer counts as due.
alter table cases add column evaluation_excluded boolean not null default false;

-- What each event changed on its case (columns → new values, deadlines included). The report event
-- holds the case's first state, so a case can be replayed from its events alone.
alter table case_events add column changes jsonb not null default '{}';

update cases set
  registered_at = (select min(e.at) from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id and e.action in ('register', 'handle_on_spot')),
  dispatched_at = (select min(e.at) from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id and e.action = 'dispatch'),
  acknowledged_at = (select min(e.at) from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id and e.action = 'acknowledge'),
  handled_at = (select max(e.at) from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id and e.action in ('handle', 'handle_on_spot')),
  extension_count = (select count(*) from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id and e.action = 'approve_extension');

-- How a region counts where cities differ (GLOSSARY: Evaluation). A region without a row counts
-- by the defaults.
create table evaluation_settings (
  region_code text primary key,
  -- Whether a suspended (缓办) case counts as due to close in the period of its deadline.
  suspended_due boolean not null default true,
  -- The response limit (响应时限) in working hours: acknowledged within it counts as responded.
  response_hours numeric not null default 2 check (response_hours > 0),
  -- The governance index's weights per kind of unit ({"street": {"onTimeClosureRate": 35, …}, …});
  -- a kind not named here is weighed by the defaults (docs/decisions/0033).
  index_weights jsonb not null default '{}',
  updated_at timestamptz not null default now()
);

-- Counts per region, kind of grouping, day (Asia/Shanghai), community and value of the grouping.
-- `kind` 'all' (value '') counts every case once; the other kinds split the same counts by grid,
-- department (the lead), person (the assignee or who handled it), category, level, source and
-- reporter (only `accepted` and `on_spot`: who found the problem). Each measure counts on the day
-- of its own moment (docs/decisions/0033).
create table case_counts (
  region_code text not null,
  kind text not null check (kind in ('all', 'grid', 'department', 'person', 'category', 'level', 'source', 'reporter')),
  day date not null,
  community_code text not null,
  value text not null,
  accepted integer not null default 0,
  registered integer not null default 0,
  dispatched integer not null default 0,
  responded integer not null default 0,
  due_close integer not null default 0,
  closed_due integer not null default 0,
  closed_on_time integer not null default 0,
  reworked integer not null default 0,
  extended integer not null default 0,
  due_handle integer not null default 0,
  handled_on_time integer not null default 0,
  handled integer not null default 0,
  handling_minutes bigint not null default 0,
  closed integer not null default 0,
  on_spot integer not null default 0,
  rated integer not null default 0,
  resolved integer not null default 0,
  satisfied integer not null default 0,
  primary key (region_code, kind, day, community_code, value)
);

-- Cases closed (or handled) on a later day than their deadline's, by both days: a period counts
-- as due the cases closed in it whose deadline fell before it, and as not closed those due in it
-- and closed after it, which takes both days.
create table case_late_counts (
  region_code text not null,
  kind text not null,
  stage text not null check (stage in ('close', 'handle')),
  done_day date not null,
  due_day date not null,
  community_code text not null,
  value text not null,
  cases integer not null default 0,
  reworked integer not null default 0,
  extended integer not null default 0,
  primary key (region_code, kind, stage, done_day, due_day, community_code, value)
);
create index case_late_counts_due on case_late_counts (region_code, kind, stage, due_day);

create function gridgov_day(at timestamptz) returns date language sql immutable parallel safe
  as $$ select (at at time zone 'Asia/Shanghai')::date $$;

-- What one case counts, one row per measure and day (and, for late rows, the deadline's day).
-- Every rollup row is a sum of these: the triggers below, the rebuild and the golden tests agree
-- because they all count through this one function.
create function case_contributions(c cases, suspended_due boolean)
returns table (measure text, day date, due_day date, n bigint) language sql stable parallel safe as $$
  select m.measure, m.day, m.due_day, m.n
  from (
    select
      c.registered_at is not null and c.status not in ('rejected', 'merged') and not c.evaluation_excluded
        and (suspended_due or c.status <> 'suspended') as due,
      c.closed_at is not null as closed,
      gridgov_day(c.handle_by) as deadline_day
  ) as facts
  cross join lateral (values
    ('accepted', gridgov_day(c.created_at), null::date, 1::bigint),
    ('registered', gridgov_day(c.registered_at), null, 1),
    ('dispatched', gridgov_day(c.dispatched_at), null, 1),
    ('responded', case when c.responded_on_time then gridgov_day(c.dispatched_at) end, null, 1),
    ('due_close', case when facts.due then facts.deadline_day end, null, 1),
    ('closed_due', case when facts.due and facts.closed then facts.deadline_day end, null, 1),
    ('closed_on_time', case when facts.due and c.closed_at <= c.handle_by then facts.deadline_day end, null, 1),
    ('reworked', case when facts.due and c.rework_count > 0 then facts.deadline_day end, null, 1),
    ('extended', case when facts.due and c.extension_count > 0 then facts.deadline_day end, null, 1),
    ('due_handle', case when facts.due and c.dispatched_at is not null then facts.deadline_day end, null, 1),
    ('handled_on_time', case when facts.due and c.dispatched_at is not null and c.handled_at <= c.handle_by then facts.deadline_day end, null, 1),
    ('handled', case when c.dispatched_at is not null then gridgov_day(c.handled_at) end, null, 1),
    ('handling_minutes', case when c.dispatched_at is not null then gridgov_day(c.handled_at) end, null, coalesce(c.handling_minutes, 0)),
    ('closed', gridgov_day(c.closed_at), null, 1),
    ('on_spot', case when c.handled_on_spot then gridgov_day(c.closed_at) end, null, 1),
    ('rated', case when c.satisfaction is not null then gridgov_day(c.closed_at) end, null, 1),
    ('resolved', case when c.resolved then gridgov_day(c.closed_at) end, null, 1),
    ('satisfied', case when c.satisfaction in ('satisfied', 'basically_satisfied') then gridgov_day(c.closed_at) end, null, 1),
    ('late_close', case when facts.due and gridgov_day(c.closed_at) > facts.deadline_day then gridgov_day(c.closed_at) end, facts.deadline_day, 1),
    ('late_close_reworked', case when facts.due and c.rework_count > 0 and gridgov_day(c.closed_at) > facts.deadline_day then gridgov_day(c.closed_at) end, facts.deadline_day, 1),
    ('late_close_extended', case when facts.due and c.extension_count > 0 and gridgov_day(c.closed_at) > facts.deadline_day then gridgov_day(c.closed_at) end, facts.deadline_day, 1),
    ('late_handle', case when facts.due and c.dispatched_at is not null and gridgov_day(c.handled_at) > facts.deadline_day then gridgov_day(c.handled_at) end, facts.deadline_day, 1)
  ) as m (measure, day, due_day, n)
  where m.day is not null
$$;

-- Adds what the cases of `added` count to the rollups and takes away what those of `removed`
-- counted: one upsert per table, rows in key order (so concurrent writers lock them in one order),
-- rows whose sum is zero (a case that counts as it did) left alone. Cases that count alike are
-- summed before the split into kinds, so a bulk load of similar cases costs little more than one.
-- The kinds: 'all' (value ''), the grid, the department (its lead), the person (the assignee, else
-- who handled it), the category, level, source, and the reporter (who found the problem: only
-- `accepted` and `on_spot`); '' for none.
create function case_counts_add(added cases[], removed cases[]) returns void language plpgsql as $$
begin
  with moved as (
    select 1 as sign, a as c from unnest(added) as a
    union all
    select -1, r from unnest(removed) as r
  ),
  facts as (
    select (m.c).region_code as region_code, (m.c).community_code as community_code, (m.c).grid_code as grid,
      coalesce((m.c).department_code, '') as department,
      coalesce((m.c).assignment->>'userId', (m.c).handled_by::text, '') as person,
      coalesce((m.c).category_code, '') as category, (m.c).level as level, (m.c).source as source,
      coalesce((m.c).reporter_user_id::text, '') as reporter,
      x.measure, x.day, x.due_day, sum(m.sign * x.n) as n
    from moved as m
    left join evaluation_settings as s on s.region_code = (m.c).region_code
    cross join lateral case_contributions(m.c, coalesce(s.suspended_due, true)) as x
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ),
  parts as (
    select f.region_code, k.kind, k.value, f.community_code, f.measure, f.day, f.due_day, f.n
    from facts as f
    cross join lateral (values ('all', ''), ('grid', f.grid), ('department', f.department), ('person', f.person),
      ('category', f.category), ('level', f.level), ('source', f.source), ('reporter', f.reporter)) as k (kind, value)
    where f.n <> 0 and (k.kind <> 'reporter' or f.measure in ('accepted', 'on_spot'))
  ),
  late as (
    insert into case_late_counts as t (region_code, kind, stage, done_day, due_day, community_code, value, cases, reworked, extended)
    select region_code, kind, case when measure = 'late_handle' then 'handle' else 'close' end, day, due_day, community_code, value,
      coalesce(sum(n) filter (where measure in ('late_close', 'late_handle')), 0),
      coalesce(sum(n) filter (where measure = 'late_close_reworked'), 0),
      coalesce(sum(n) filter (where measure = 'late_close_extended'), 0)
    from parts where due_day is not null
    group by 1, 2, 3, 4, 5, 6, 7
    having sum(n) filter (where measure in ('late_close', 'late_handle')) <> 0
      or sum(n) filter (where measure = 'late_close_reworked') <> 0 or sum(n) filter (where measure = 'late_close_extended') <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (region_code, kind, stage, done_day, due_day, community_code, value) do update set
      cases = t.cases + excluded.cases, reworked = t.reworked + excluded.reworked, extended = t.extended + excluded.extended
  ),
  summed as (
    select region_code, kind, day, community_code, value,
      coalesce(sum(n) filter (where measure = 'accepted'), 0) as accepted,
      coalesce(sum(n) filter (where measure = 'registered'), 0) as registered,
      coalesce(sum(n) filter (where measure = 'dispatched'), 0) as dispatched,
      coalesce(sum(n) filter (where measure = 'responded'), 0) as responded,
      coalesce(sum(n) filter (where measure = 'due_close'), 0) as due_close,
      coalesce(sum(n) filter (where measure = 'closed_due'), 0) as closed_due,
      coalesce(sum(n) filter (where measure = 'closed_on_time'), 0) as closed_on_time,
      coalesce(sum(n) filter (where measure = 'reworked'), 0) as reworked,
      coalesce(sum(n) filter (where measure = 'extended'), 0) as extended,
      coalesce(sum(n) filter (where measure = 'due_handle'), 0) as due_handle,
      coalesce(sum(n) filter (where measure = 'handled_on_time'), 0) as handled_on_time,
      coalesce(sum(n) filter (where measure = 'handled'), 0) as handled,
      coalesce(sum(n) filter (where measure = 'handling_minutes'), 0) as handling_minutes,
      coalesce(sum(n) filter (where measure = 'closed'), 0) as closed,
      coalesce(sum(n) filter (where measure = 'on_spot'), 0) as on_spot,
      coalesce(sum(n) filter (where measure = 'rated'), 0) as rated,
      coalesce(sum(n) filter (where measure = 'resolved'), 0) as resolved,
      coalesce(sum(n) filter (where measure = 'satisfied'), 0) as satisfied
    from parts where due_day is null
    group by 1, 2, 3, 4, 5
  )
  insert into case_counts as t (region_code, kind, day, community_code, value, accepted, registered, dispatched, responded,
    due_close, closed_due, closed_on_time, reworked, extended, due_handle, handled_on_time, handled, handling_minutes, closed,
    on_spot, rated, resolved, satisfied)
  select * from summed
  where (accepted, registered, dispatched, responded, due_close, closed_due, closed_on_time, reworked, extended, due_handle,
    handled_on_time, handled, handling_minutes, closed, on_spot, rated, resolved, satisfied)
    <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  order by 1, 2, 3, 4, 5
  on conflict (region_code, kind, day, community_code, value) do update set
    accepted = t.accepted + excluded.accepted, registered = t.registered + excluded.registered,
    dispatched = t.dispatched + excluded.dispatched, responded = t.responded + excluded.responded,
    due_close = t.due_close + excluded.due_close, closed_due = t.closed_due + excluded.closed_due,
    closed_on_time = t.closed_on_time + excluded.closed_on_time, reworked = t.reworked + excluded.reworked,
    extended = t.extended + excluded.extended, due_handle = t.due_handle + excluded.due_handle,
    handled_on_time = t.handled_on_time + excluded.handled_on_time, handled = t.handled + excluded.handled,
    handling_minutes = t.handling_minutes + excluded.handling_minutes, closed = t.closed + excluded.closed,
    on_spot = t.on_spot + excluded.on_spot, rated = t.rated + excluded.rated, resolved = t.resolved + excluded.resolved,
    satisfied = t.satisfied + excluded.satisfied;
end
$$;

-- Every statement that writes cases moves the rollups in the same statement: what the new rows
-- count, less what the old ones counted.
create function case_counts_inserted() returns trigger language plpgsql as $$
begin
  perform case_counts_add((select array_agg(n::cases) from new_cases as n), '{}'::cases[]);
  return null;
end
$$;
create function case_counts_updated() returns trigger language plpgsql as $$
begin
  perform case_counts_add((select array_agg(n::cases) from new_cases as n), (select array_agg(o::cases) from old_cases as o));
  return null;
end
$$;
create function case_counts_deleted() returns trigger language plpgsql as $$
begin
  perform case_counts_add('{}'::cases[], (select array_agg(o::cases) from old_cases as o));
  return null;
end
$$;
create trigger cases_counted_insert after insert on cases referencing new table as new_cases
  for each statement execute function case_counts_inserted();
create trigger cases_counted_update after update on cases referencing old table as old_cases new table as new_cases
  for each statement execute function case_counts_updated();
create trigger cases_counted_delete after delete on cases referencing old table as old_cases
  for each statement execute function case_counts_deleted();

-- Recomputes a region's rollups from its case events, a community at a time: each case replayed
-- from the changes its events recorded, the newest value of each column winning (events written
-- before changes were recorded leave the case's own value in place).
create function case_counts_rebuild(region text) returns void language plpgsql as $$
declare community text;
begin
  delete from case_counts where region_code = region;
  delete from case_late_counts where region_code = region;
  for community in select distinct community_code from cases where region_code = region order by 1 loop
    perform case_counts_add((
      select array_agg(jsonb_populate_record(c, coalesce(replayed.changes, '{}')))
      from cases as c
      left join lateral (
        select jsonb_object_agg(latest.key, latest.value) as changes from (
          select distinct on (kv.key) kv.key, kv.value
          from case_events as e cross join lateral jsonb_each(e.changes) as kv
          where e.region_code = c.region_code and e.case_id = c.id
          order by kv.key, e.at desc, e.id desc
        ) as latest
      ) as replayed on true
      where c.region_code = region and c.community_code = community
    ), '{}'::cases[]);
  end loop;
end
$$;

do $$
declare region text;
begin
  for region in select distinct region_code from cases loop
    perform case_counts_rebuild(region);
  end loop;
end
$$;

-- Published bulletins (通报): a period's figures frozen as they were computed, with the two files
-- made from them. Later changes to the period's cases appear as corrections in the next bulletin.
create table bulletins (
  region_code text not null,
  period_code text not null,
  period_from date not null,
  period_to date not null,
  generated_at timestamptz not null default now(),
  -- Null when the scheduler generated it.
  generated_by uuid references users (id),
  data jsonb not null,
  workbook bytea not null,
  pdf bytea not null,
  primary key (region_code, period_code)
);

-- Appeals (考核申诉): a street, community or department asks that a counted case be left out of its
-- evaluation; the evaluation office accepts (the case is excluded from the due figures, the record
-- kept) or refuses.
create table case_appeals (
  id uuid primary key,
  region_code text not null,
  case_id uuid not null,
  -- The unit appealing: a division code or a department code.
  unit_code text not null,
  reason text not null,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'refused')),
  filed_by uuid not null references users (id),
  filed_at timestamptz not null default now(),
  decided_by uuid references users (id),
  decided_at timestamptz,
  decision_note text,
  foreign key (region_code, case_id) references cases (region_code, id)
);
-- One appeal waits per case at a time.
create unique index case_appeals_pending on case_appeals (region_code, case_id) where status = 'pending';
create index case_appeals_region on case_appeals (region_code, status, filed_at desc);
