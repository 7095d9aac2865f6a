-- Returns (退回) per department and community (docs/decisions/0028): counters written in the same
-- transaction as each return request and each approval, so that the dashboard reads a few rows per
-- community instead of every return event of the region.
create table case_return_counts (
  region_code text not null,
  community_code text not null,
  department_code text not null,
  requested integer not null default 0 check (requested >= 0),
  approved integer not null default 0 check (approved >= 0),
  primary key (region_code, community_code, department_code)
);
insert into case_return_counts (region_code, community_code, department_code, requested, approved)
  select e.region_code, c.community_code, e.details->>'department',
    count(*) filter (where e.action = 'return'), count(*) filter (where e.action = 'approve_return')
  from case_events e
  join cases c on c.region_code = e.region_code and c.id = e.case_id
  where e.action in ('return', 'approve_return') and e.details->>'department' is not null
  group by e.region_code, c.community_code, e.details->>'department';
-- The counters answer what this index served.
drop index case_events_returns;
