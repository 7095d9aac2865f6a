-- Late rows by half month (docs/decisions/0033, third amendment): beside the late rows by the day a
-- case was closed or handled and the day it was due, the same rows by the half months of both. The
-- cases a bucket starting on a half month carries in (done in it, due before its first day) then
-- read a row per half month done, half month due and community, not one per day done and day due:
-- at 10,000,000 cases a year by month read 41,000 late rows, most of its time. Other buckets' days,
-- and the cases due in a bucket and done after it, are still read from the day rows.

create table case_late_half_counts (like case_late_counts including defaults including constraints);
alter table case_late_half_counts rename column done_day to done_half;
alter table case_late_half_counts rename column due_day to due_half;
alter table case_late_half_counts
  add check (done_half = gridgov_half(done_half)),
  add check (due_half = gridgov_half(due_half)),
  add primary key (region_code, kind, stage, done_half, due_half, community_code, value);

insert into case_late_half_counts
select region_code, kind, stage, gridgov_half(done_day), gridgov_half(due_day), community_code, value, sum(cases), sum(reworked), sum(extended)
from case_late_counts
group by 1, 2, 3, 4, 5, 6, 7
having sum(cases) <> 0 or sum(reworked) <> 0 or sum(extended) <> 0;

-- The function is restated whole with the late half-month upsert added; the rest is unchanged.

create or replace function case_counts_add(added cases[], removed cases[]) returns void language plpgsql as $$
begin
  with moved as (
    select 1 as sign, a as c from unnest(added) as a
    union all
    select -1, r from unnest(removed) as r
  ),
  -- Each case with the keys the kinds split by.
  keyed as (
    select m.sign, m.c, (m.c).region_code as region_code, (m.c).community_code as community_code, (m.c).grid_code as grid,
      coalesce((m.c).department_code, '') as department,
      coalesce((m.c).assignment->>'userId', (m.c).handled_by::text, '') as person,
      coalesce((m.c).category_code, '') as category, (m.c).level as level, (m.c).source as source,
      coalesce((m.c).reporter_user_id::text, '') as reporter, coalesce(s.suspended_due, true) as suspended_due
    from moved as m
    left join evaluation_settings as s on s.region_code = (m.c).region_code
  ),
  -- Each case's measures pivoted by day (most fall on two or three days), summed in integers,
  -- before the split into kinds multiplies the rows.
  days as (
    select k.region_code, k.community_code, k.grid, k.department, k.person, k.category, k.level, k.source, k.reporter, d.*
    from keyed as k
    cross join lateral (
      select x.day,
        sum(k.sign * x.n::int) filter (where x.measure = 'accepted')::int as accepted,
        sum(k.sign * x.n::int) filter (where x.measure = 'registered')::int as registered,
        sum(k.sign * x.n::int) filter (where x.measure = 'dispatched')::int as dispatched,
        sum(k.sign * x.n::int) filter (where x.measure = 'responded')::int as responded,
        sum(k.sign * x.n::int) filter (where x.measure = 'due_close')::int as due_close,
        sum(k.sign * x.n::int) filter (where x.measure = 'closed_due')::int as closed_due,
        sum(k.sign * x.n::int) filter (where x.measure = 'closed_on_time')::int as closed_on_time,
        sum(k.sign * x.n::int) filter (where x.measure = 'reworked')::int as reworked,
        sum(k.sign * x.n::int) filter (where x.measure = 'extended')::int as extended,
        sum(k.sign * x.n::int) filter (where x.measure = 'due_handle')::int as due_handle,
        sum(k.sign * x.n::int) filter (where x.measure = 'handled_on_time')::int as handled_on_time,
        sum(k.sign * x.n::int) filter (where x.measure = 'handled')::int as handled,
        sum(k.sign * x.n::int) filter (where x.measure = 'handling_minutes')::int as handling_minutes,
        sum(k.sign * x.n::int) filter (where x.measure = 'closed')::int as closed,
        sum(k.sign * x.n::int) filter (where x.measure = 'on_spot')::int as on_spot,
        sum(k.sign * x.n::int) filter (where x.measure = 'rated')::int as rated,
        sum(k.sign * x.n::int) filter (where x.measure = 'resolved')::int as resolved,
        sum(k.sign * x.n::int) filter (where x.measure = 'satisfied')::int as satisfied
      from case_contributions(k.c, k.suspended_due) as x
      where x.due_day is null
      group by x.day
    ) as d
  ),
  summed as (
    select d.region_code, k.kind, d.day, d.community_code, k.value,
      coalesce(sum(d.accepted), 0) as accepted, coalesce(sum(d.registered), 0) as registered,
      coalesce(sum(d.dispatched), 0) as dispatched, coalesce(sum(d.responded), 0) as responded,
      coalesce(sum(d.due_close), 0) as due_close, coalesce(sum(d.closed_due), 0) as closed_due,
      coalesce(sum(d.closed_on_time), 0) as closed_on_time, coalesce(sum(d.reworked), 0) as reworked,
      coalesce(sum(d.extended), 0) as extended, coalesce(sum(d.due_handle), 0) as due_handle,
      coalesce(sum(d.handled_on_time), 0) as handled_on_time, coalesce(sum(d.handled), 0) as handled,
      coalesce(sum(d.handling_minutes), 0) as handling_minutes, coalesce(sum(d.closed), 0) as closed,
      coalesce(sum(d.on_spot), 0) as on_spot, coalesce(sum(d.rated), 0) as rated,
      coalesce(sum(d.resolved), 0) as resolved, coalesce(sum(d.satisfied), 0) as satisfied
    from days as d
    cross join lateral (values ('all', ''), ('grid', d.grid), ('department', d.department), ('person', d.person),
      ('category', d.category), ('level', d.level), ('source', d.source)) as k (kind, value)
    group by 1, 2, 3, 4, 5
    union all
    select d.region_code, 'reporter', d.day, d.community_code, d.reporter,
      coalesce(sum(d.accepted), 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, coalesce(sum(d.on_spot), 0), 0, 0, 0
    from days as d
    where d.accepted is not null or d.on_spot is not null
    group by 1, 2, 3, 4, 5
  ),
  -- The same sums by half month for the kinds a period's totals read ('all', 'reporter'), so that a
  -- month, a half month or a year reads two rows per community and month instead of thirty.
  halves as (
    insert into case_half_counts as t (region_code, kind, half, community_code, value, accepted, registered, dispatched,
      responded, due_close, closed_due, closed_on_time, reworked, extended, due_handle, handled_on_time, handled,
      handling_minutes, closed, on_spot, rated, resolved, satisfied)
    select region_code, kind, gridgov_half(day), community_code, value, sum(accepted), sum(registered), sum(dispatched),
      sum(responded), sum(due_close), sum(closed_due), sum(closed_on_time), sum(reworked), sum(extended), sum(due_handle),
      sum(handled_on_time), sum(handled), sum(handling_minutes), sum(closed), sum(on_spot), sum(rated), sum(resolved),
      sum(satisfied)
    from summed
    where kind in ('all', 'reporter')
    group by 1, 2, 3, 4, 5
    having (sum(accepted), sum(registered), sum(dispatched), sum(responded), sum(due_close), sum(closed_due),
      sum(closed_on_time), sum(reworked), sum(extended), sum(due_handle), sum(handled_on_time), sum(handled),
      sum(handling_minutes), sum(closed), sum(on_spot), sum(rated), sum(resolved), sum(satisfied))
      <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    order by 1, 2, 3, 4, 5
    on conflict (region_code, kind, half, community_code, value) do update set
      accepted = t.accepted + excluded.accepted, registered = t.registered + excluded.registered,
      dispatched = t.dispatched + excluded.dispatched, responded = t.responded + excluded.responded,
      due_close = t.due_close + excluded.due_close, closed_due = t.closed_due + excluded.closed_due,
      closed_on_time = t.closed_on_time + excluded.closed_on_time, reworked = t.reworked + excluded.reworked,
      extended = t.extended + excluded.extended, due_handle = t.due_handle + excluded.due_handle,
      handled_on_time = t.handled_on_time + excluded.handled_on_time, handled = t.handled + excluded.handled,
      handling_minutes = t.handling_minutes + excluded.handling_minutes, closed = t.closed + excluded.closed,
      on_spot = t.on_spot + excluded.on_spot, rated = t.rated + excluded.rated, resolved = t.resolved + excluded.resolved,
      satisfied = t.satisfied + excluded.satisfied
  ),
  -- The late rows' changes, by day and by half month.
  late_rows as (
    select l.region_code, k.kind, l.stage, l.day as done_day, l.due_day, l.community_code, k.value, sum(l.cases) as cases,
      sum(l.reworked) as reworked, sum(l.extended) as extended
    from (
      select k.region_code, k.community_code, k.grid, k.department, k.person, k.category, k.level, k.source,
        case when x.measure = 'late_handle' then 'handle' else 'close' end as stage, x.day, x.due_day,
        coalesce(sum(k.sign * x.n::int) filter (where x.measure in ('late_close', 'late_handle')), 0) as cases,
        coalesce(sum(k.sign * x.n::int) filter (where x.measure = 'late_close_reworked'), 0) as reworked,
        coalesce(sum(k.sign * x.n::int) filter (where x.measure = 'late_close_extended'), 0) as extended
      from keyed as k
      cross join lateral case_contributions(k.c, k.suspended_due) as x
      -- Only a case closed or handled after its deadline is late on any day: the rest skip the count.
      where ((k.c).closed_at > (k.c).handle_by or (k.c).handled_at > (k.c).handle_by) and x.due_day is not null
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ) as l
    cross join lateral (values ('all', ''), ('grid', l.grid), ('department', l.department), ('person', l.person),
      ('category', l.category), ('level', l.level), ('source', l.source)) as k (kind, value)
    group by 1, 2, 3, 4, 5, 6, 7
    having sum(l.cases) <> 0 or sum(l.reworked) <> 0 or sum(l.extended) <> 0
  ),
  late as (
    insert into case_late_counts as t (region_code, kind, stage, done_day, due_day, community_code, value, cases, reworked, extended)
    select * from late_rows
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (region_code, kind, stage, done_day, due_day, community_code, value) do update set
      cases = t.cases + excluded.cases, reworked = t.reworked + excluded.reworked, extended = t.extended + excluded.extended
  ),
  late_halves as (
    insert into case_late_half_counts as t (region_code, kind, stage, done_half, due_half, community_code, value, cases, reworked, extended)
    select region_code, kind, stage, gridgov_half(done_day), gridgov_half(due_day), community_code, value, sum(cases), sum(reworked), sum(extended)
    from late_rows
    group by 1, 2, 3, 4, 5, 6, 7
    having sum(cases) <> 0 or sum(reworked) <> 0 or sum(extended) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (region_code, kind, stage, done_half, due_half, community_code, value) do update set
      cases = t.cases + excluded.cases, reworked = t.reworked + excluded.reworked, extended = t.extended + excluded.extended
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

-- The rebuild clears the late half-month rows with the others.
create or replace function case_counts_rebuild(region text) returns void language plpgsql as $$
declare community text;
begin
  delete from case_counts where region_code = region;
  delete from case_half_counts where region_code = region;
  delete from case_late_counts where region_code = region;
  delete from case_late_half_counts where region_code = region;
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
