-- Webhooks (docs/decisions/0041): subscriptions to a region's case events, an outbox of deliveries
-- written in the transaction of each event, and a log of delivery attempts.

-- A receiver of case events: those of `scope_code` (the region or a division in it), of the
-- actions in `kinds` (null: every action). The secret signs each delivery; it is shown once, when
-- made or rotated, and kept here because signing needs it.
create table webhook_subscriptions (
  id uuid primary key,
  region_code text not null,
  scope_code text not null,
  url text not null,
  description text not null default '',
  kinds text[],
  personal_data boolean not null default false,
  secret text not null,
  active boolean not null default true,
  -- Why it stopped: 'manual' (someone disabled it) or 'failing' (a delivery failed for a day).
  disabled_reason text check (disabled_reason in ('manual', 'failing')),
  disabled_at timestamptz,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (scope_code like region_code || '%')
);
create index webhook_subscriptions_of_region on webhook_subscriptions (region_code) where active;

-- One row per subscription and event to deliver. `id` orders the deliveries of a case: an event's
-- rows are written at its commit while the region's log head is locked, so later commits take
-- larger ids. A row is claimed by a worker until `claimed_until`; a worker that dies leaves it to
-- be claimed again after that (at least once). Delivered rows are kept a while for the log's sake.
create table webhook_outbox (
  id bigint generated always as identity primary key,
  subscription_id uuid not null references webhook_subscriptions (id) on delete cascade,
  event_id uuid not null,
  case_id uuid not null,
  region_code text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default '-infinity',
  claimed_until timestamptz,
  -- The first failed attempt of the row's current run of failures: a day later the subscription is disabled.
  failing_since timestamptz,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_outbox_due on webhook_outbox (id) where status = 'pending';
-- The earlier undelivered event of the same case, which holds a later one back.
create index webhook_outbox_case on webhook_outbox (subscription_id, case_id, id) where status = 'pending';
-- A replay never queues an event twice while it is still undelivered. Event first: led by the
-- subscription, it would tempt the planner to probe a subscription's whole queue for a case's rows.
create unique index webhook_outbox_pending_event on webhook_outbox (event_id, subscription_id) where status = 'pending';
create index webhook_outbox_delivered on webhook_outbox (delivered_at) where status = 'delivered';

-- Every attempt, for the console's delivery log; purged by age.
create table webhook_deliveries (
  id bigint generated always as identity primary key,
  subscription_id uuid not null references webhook_subscriptions (id) on delete cascade,
  event_id uuid not null,
  case_number text not null,
  kind text not null,
  attempt integer not null,
  at timestamptz not null,
  outcome text not null check (outcome in ('delivered', 'retry', 'disabled')),
  status_code integer,
  latency_ms integer not null,
  error_code text
);
create index webhook_deliveries_of_subscription on webhook_deliveries (subscription_id, id desc);
create index webhook_deliveries_at on webhook_deliveries (at);

-- Fans each log entry out to the region's matching active subscriptions, in the transaction that
-- wrote the event: one indexed insert…select, so a transition with no subscription pays one probe.
create function webhook_outbox_fan_out() returns trigger language plpgsql as $$
begin
  insert into webhook_outbox (subscription_id, event_id, case_id, region_code)
  select s.id, new.event_id, new.case_id, new.region_code
  from webhook_subscriptions as s
  where s.region_code = new.region_code and s.active
    and (s.kinds is null or new.action = any (s.kinds))
    and s.scope_code in (new.region_code, new.street_code, new.community_code, new.grid_code);
  return null;
end
$$;

create trigger case_event_log_webhooks after insert on case_event_log
  for each row execute function webhook_outbox_fan_out();

-- Administrators are told when a subscription is disabled after failing for a day.
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
  check (kind in ('task', 'escalated', 'urged', 'near_due', 'overdue', 'returned', 'rework', 'webhook_disabled'));
