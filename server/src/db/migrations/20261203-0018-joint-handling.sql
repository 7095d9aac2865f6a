-- Joint handling (主办/协办) and returns that wait for the centre (docs/decisions/0024).

-- The co-handling departments of the case's current dispatch and where each stands:
-- [{"departmentId": "…", "state": "dispatched" | "acknowledged" | "reported" | "released"}].
alter table cases add column co_handlers jsonb not null default '[]';
-- A co-handling department's staff read the case and find it in their queue by containment.
create index cases_co_handlers on cases using gin (co_handlers jsonb_path_ops) where co_handlers <> '[]';

-- A return (退回) the assignee asked for, waiting for the owning centre to approve or deny it:
-- {"requestedBy": "<user id>", "reasonCode": "…"}. The case stays with its department meanwhile.
alter table cases add column return_request jsonb;
create index cases_return_requested on cases (region_code) where return_request is not null;

-- The reasons a return or a rejection (不予立案) may give: a list the district configures, so that
-- a case never bounces for a reason nobody can count. The common ones are loaded at start into an
-- empty table (`ensureCaseReasons`), as the categories are, so that a restore finds it empty.
create table case_reasons (
  kind text not null check (kind in ('return', 'reject')),
  code text not null check (code ~ '^[a-z0-9_]{1,50}$'),
  label_zh text not null check (char_length(label_zh) between 1 and 100),
  label_en text not null check (char_length(label_en) between 1 and 100),
  position integer not null default 0,
  active boolean not null default true,
  primary key (kind, code)
);
-- Returns are counted per department: the return requests and approvals of a region.
create index case_events_returns on case_events (region_code, at) where action in ('return', 'approve_return');

-- The event log carries the co-handling departments, so that their staff's streams see the case.
alter table case_event_log add column co_department_ids text[] not null default '{}';

create or replace function case_event_log_append() returns trigger language plpgsql as $$
declare
  taken bigint;
begin
  insert into case_event_log_heads as head (region_code, position) values (new.region_code, 1)
    on conflict (region_code) do update set position = head.position + 1
    returning head.position into taken;
  insert into case_event_log (region_code, position, event_id, case_id, number, action, status, level,
    street_code, community_code, grid_code, department_code, co_department_ids)
  select new.region_code, taken, new.id, c.id, c.number, new.action, new.to_status, new.level,
    c.street_code, c.community_code, c.grid_code,
    coalesce((select d.code from departments as d where d.id::text = c.assignment->>'departmentId'), c.department_code),
    array(select co->>'departmentId' from jsonb_array_elements(c.co_handlers) as co)
  from cases as c where c.region_code = new.region_code and c.id = new.case_id;
  -- Delivered at commit, once per transaction and region, to every server that listens.
  perform pg_notify('case_event_log', new.region_code);
  return null;
end
$$;
