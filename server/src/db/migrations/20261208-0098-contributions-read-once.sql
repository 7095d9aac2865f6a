-- What a case counts, read from its fields once (docs/decisions/0033, fourth amendment). The
-- function takes the whole case row, about sixty columns: each field read from it walks the row
-- to its column, and the days and conditions below read some fields ten times over. The fields are
-- now read once into a narrow row (`offset 0` keeps the planner from folding it back into every
-- reference); the rows it answers are unchanged. 500 closed cases' contributions took 66 ms to sum
-- before, 40 ms after.
create or replace function case_contributions(c cases, suspended_due boolean)
returns table (measure text, day date, due_day date, n bigint) language sql stable parallel safe as $$
  select m.measure, m.day, m.due_day, m.n
  from (
    select
      c.registered_at is not null and c.status not in ('rejected', 'merged') and not c.evaluation_excluded
        and (suspended_due or c.status <> 'suspended') as due,
      c.closed_at is not null as closed,
      gridgov_day(c.handle_by) as deadline_day,
      gridgov_day(c.created_at) as created_day,
      gridgov_day(c.registered_at) as registered_day,
      gridgov_day(c.closed_at) as closed_day,
      gridgov_day(c.handled_at) as handled_day,
      gridgov_day(c.dispatched_at) as dispatched_day,
      c.dispatched_at is not null as dispatched,
      c.responded_on_time, c.closed_at <= c.handle_by as closed_on_time, c.handled_at <= c.handle_by as handled_on_time,
      c.rework_count > 0 as reworked, c.extension_count > 0 as extended, coalesce(c.handling_minutes, 0) as handling_minutes,
      c.handled_on_spot, c.satisfaction is not null as rated, c.resolved, c.satisfaction in ('satisfied', 'basically_satisfied') as satisfied
    offset 0
  ) as f
  cross join lateral (values
    ('accepted', f.created_day, null::date, 1::bigint),
    ('registered', f.registered_day, null, 1),
    ('dispatched', f.dispatched_day, null, 1),
    ('responded', case when f.responded_on_time then f.dispatched_day end, null, 1),
    ('due_close', case when f.due then f.deadline_day end, null, 1),
    ('closed_due', case when f.due and f.closed then f.deadline_day end, null, 1),
    ('closed_on_time', case when f.due and f.closed_on_time then f.deadline_day end, null, 1),
    ('reworked', case when f.due and f.reworked then f.deadline_day end, null, 1),
    ('extended', case when f.due and f.extended then f.deadline_day end, null, 1),
    ('due_handle', case when f.due and f.dispatched then f.deadline_day end, null, 1),
    ('handled_on_time', case when f.due and f.dispatched and f.handled_on_time then f.deadline_day end, null, 1),
    ('handled', case when f.dispatched then f.handled_day end, null, 1),
    ('handling_minutes', case when f.dispatched then f.handled_day end, null, f.handling_minutes),
    ('closed', f.closed_day, null, 1),
    ('on_spot', case when f.handled_on_spot then f.closed_day end, null, 1),
    ('rated', case when f.rated then f.closed_day end, null, 1),
    ('resolved', case when f.resolved then f.closed_day end, null, 1),
    ('satisfied', case when f.satisfied then f.closed_day end, null, 1),
    ('late_close', case when f.due and f.closed_day > f.deadline_day then f.closed_day end, f.deadline_day, 1),
    ('late_close_reworked', case when f.due and f.reworked and f.closed_day > f.deadline_day then f.closed_day end, f.deadline_day, 1),
    ('late_close_extended', case when f.due and f.extended and f.closed_day > f.deadline_day then f.closed_day end, f.deadline_day, 1),
    ('late_handle', case when f.due and f.dispatched and f.handled_day > f.deadline_day then f.handled_day end, f.deadline_day, 1)
  ) as m (measure, day, due_day, n)
  where m.day is not null
$$;
