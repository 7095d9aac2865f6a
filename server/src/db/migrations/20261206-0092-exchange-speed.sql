-- Exchange speed (docs/decisions/0045): a bulk import appends its cases' events to the case event
-- log in one statement per batch, webhooks fan out per statement, and the webhook outbox orders a
-- case's deliveries by the events' log positions, so that a replay queues behind nothing newer.

-- Appends the events of the cases `case_ids` (cases this transaction made, whose events it wrote
-- with gridgov.case_event_log 'off') to the region's log in one go, in the order they happened, and
-- logs the transaction's later events one by one again. It takes the region's positions at once,
-- holding the head row until the commit as the row trigger does, so the caller runs it as the
-- transaction's last statement: positions still follow commit order. Answers how many it appended.
create function case_event_log_append_cases(region text, case_ids uuid[]) returns bigint language plpgsql as $$
declare
  taken bigint;
  appended bigint;
begin
  perform set_config('gridgov.case_event_log', '', true);
  select count(*) into appended from case_events as e where e.region_code = region and e.case_id = any (case_ids);
  if appended = 0 then
    return 0;
  end if;
  insert into case_event_log_heads as head (region_code, position) values (region, appended)
    on conflict (region_code) do update set position = head.position + excluded.position
    returning head.position into taken;
  insert into case_event_log (region_code, position, event_id, case_id, number, action, status, level,
    street_code, community_code, grid_code, department_code, co_department_ids)
  select region, taken - appended + row_number() over (order by e.at, e.id), e.id, c.id, c.number, e.action, e.to_status, e.level,
    c.street_code, c.community_code, c.grid_code,
    coalesce((select d.code from departments as d where d.id::text = c.assignment->>'departmentId'), c.department_code),
    array(select co->>'departmentId' from jsonb_array_elements(c.co_handlers) as co)
  from case_events as e
  join cases as c on c.region_code = e.region_code and c.id = e.case_id
  where e.region_code = region and e.case_id = any (case_ids);
  perform pg_notify('case_event_log', region);
  return appended;
end
$$;

-- A delivery's event-log position: a case's pending deliveries go out in this order, whatever order
-- they were queued in (a replay queues older events after newer ones). A replayed event the log no
-- longer keeps is older than every kept one and takes 0; among those the queue's order holds.
alter table webhook_outbox add column position bigint not null default 0;
update webhook_outbox as o set position = l.position
  from case_event_log as l
  where o.status = 'pending' and l.region_code = o.region_code and l.event_id = o.event_id;
drop index webhook_outbox_case;
create index webhook_outbox_case on webhook_outbox (subscription_id, case_id, position, id) where status = 'pending';

-- Fans the entries of each statement out to the region's matching active subscriptions: a bulk
-- append of hundreds of entries costs one insert…select, a single entry the same as before.
create or replace function webhook_outbox_fan_out() returns trigger language plpgsql as $$
begin
  insert into webhook_outbox (subscription_id, event_id, case_id, region_code, position)
  select s.id, l.event_id, l.case_id, l.region_code, l.position
  from entries as l
  join webhook_subscriptions as s on s.region_code = l.region_code and s.active
    and (s.kinds is null or l.action = any (s.kinds))
    and s.scope_code in (l.region_code, l.street_code, l.community_code, l.grid_code)
  order by l.position, s.id;
  return null;
end
$$;

drop trigger case_event_log_webhooks on case_event_log;
create trigger case_event_log_webhooks after insert on case_event_log
  referencing new table as entries
  for each statement execute function webhook_outbox_fan_out();
