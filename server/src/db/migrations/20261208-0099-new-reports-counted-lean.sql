-- New reports counted by a lean statement (docs/decisions/0033, fifth amendment). A case not yet
-- registered, dispatched or closed counts once, as accepted on the day it was reported, under
-- each kind (case_contributions answers that one row for it). Intake inserts such cases in small
-- batches, many a second, and each batch went through case_counts_add's whole statement: the
-- contributions, every measure, the half months, the late rows: 7.8 ms for a batch of seven on
-- PostgreSQL, half the intake's statement. These cases now add their one count directly; any other
-- case inserted (a generated history, a case closed on the spot) still goes through case_counts_add.
create or replace function case_counts_inserted() returns trigger language plpgsql as $$
declare others cases[];
begin
  with fresh as (
    select n.region_code, gridgov_day(n.created_at) as day, n.community_code, n.grid_code as grid,
      coalesce(n.department_code, '') as department, coalesce(n.assignment->>'userId', n.handled_by::text, '') as person,
      coalesce(n.category_code, '') as category, n.level, n.source, coalesce(n.reporter_user_id::text, '') as reporter
    from new_cases as n
    where n.registered_at is null and n.dispatched_at is null and n.closed_at is null
  ),
  counted as (
    select f.region_code, k.kind, f.day, f.community_code, k.value, count(*)::int as accepted
    from fresh as f
    cross join lateral (values ('all', ''), ('grid', f.grid), ('department', f.department), ('person', f.person),
      ('category', f.category), ('level', f.level), ('source', f.source), ('reporter', f.reporter)) as k (kind, value)
    group by 1, 2, 3, 4, 5
  ),
  halves as (
    insert into case_half_counts as t (region_code, kind, half, community_code, value, accepted)
    select region_code, kind, gridgov_half(day), community_code, value, sum(accepted)
    from counted
    where kind in ('all', 'reporter')
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5
    on conflict (region_code, kind, half, community_code, value) do update set accepted = t.accepted + excluded.accepted
  )
  insert into case_counts as t (region_code, kind, day, community_code, value, accepted)
  select * from counted
  order by 1, 2, 3, 4, 5
  on conflict (region_code, kind, day, community_code, value) do update set accepted = t.accepted + excluded.accepted;

  select array_agg(n::cases) into others from new_cases as n
  where n.registered_at is not null or n.dispatched_at is not null or n.closed_at is not null;
  if others is not null then
    perform case_counts_add(others, '{}'::cases[]);
  end if;
  return null;
end
$$;
