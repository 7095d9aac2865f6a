-- Case reads whose cost follows the rows they return, not the size of the table (docs/decisions/0014).

-- A case's street and community codes extend its region's (division codes extend their parent's),
-- so a scope is an equality on the column of its level, which an index can walk in creation order.
alter table cases add constraint cases_codes_nest check (
  street_code like region_code || '%' and community_code like street_code || '%' and grid_code like community_code || '%'
);

-- Newest first within a street or a community, for the lists, searches and exports of their staff.
create index cases_street_recent on cases (region_code, street_code, created_at desc, id desc);
create index cases_community_recent on cases (region_code, community_code, created_at desc, id desc);
drop index cases_community;

-- The open cases only, newest first: work queues (mine, near due, overdue) walk these rather than a
-- year of closed cases. Partial, so they stay the size of the open workload; with the deadline, so
-- that the deadline queues pass over the cases not due in the index alone.
create index cases_open_recent on cases (region_code, created_at desc, id desc) include (handle_by)
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'suspended', 'handled');
create index cases_open_street_recent on cases (region_code, street_code, created_at desc, id desc) include (handle_by)
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'suspended', 'handled');
-- Open cases by deadline, with the codes a dashboard groups by: counting the overdue ones reads
-- the index alone.
create index cases_open_deadline on cases (region_code, handle_by) include (community_code, grid_code)
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'suspended', 'handled');

-- The mine queue: work dispatched to a person, a department or a division, from dispatch to verification.
create index cases_assigned_user on cases (region_code, (assignment->>'userId'))
  where status in ('dispatched', 'in_progress', 'handled');
create index cases_assigned_department on cases (region_code, (assignment->>'departmentId'))
  where status in ('dispatched', 'in_progress', 'handled');
create index cases_assigned_division on cases (region_code, (assignment->>'divisionCode'))
  where status in ('dispatched', 'in_progress', 'handled');

-- The centre queue: cases waiting for the centre that owns them at their level.
create index cases_centre on cases (
  region_code,
  (case level when 'community' then community_code when 'street' then street_code else region_code end),
  created_at desc,
  id desc
) where status in ('reported', 'accepted', 'registered');

-- The deadline sweep reads the cases whose deadline state may change: due soon and still on time,
-- or near due and past the deadline. One index per state, so that each is a range on the deadline
-- (one index over both, ordered by the deadline, tempts the planner to walk every running case).
create index cases_sweep_on_time on cases (handle_by)
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'handled') and deadline_state = 'on_time';
create index cases_sweep_near_due on cases (handle_by)
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'handled') and deadline_state = 'near_due';

-- Text search: the stored search terms as an array under GIN, matched with @> (pg_trgm cannot
-- index the two-character terms most Chinese words are).
create index cases_search_terms on cases using gin (string_to_array(search_text, ' '));
