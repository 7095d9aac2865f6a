-- Notifications for staff, outbound messages (SMS) and response templates (docs/decisions/0023).

-- How far the notification follower has read each region's case event log. The row is locked by
-- the pass that reads after it, so two passes never derive the same entries at once.
create table notification_cursors (
  region_code text primary key,
  position bigint not null
);

-- One row per recipient user and case event: what the bell shows, nothing more (no reporter, no
-- note). `title` is the case's title cut short.
create table notifications (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  region_code text not null,
  case_id uuid not null,
  event_id uuid not null,
  number text not null,
  title text not null,
  kind text not null check (kind in ('task', 'escalated', 'urged', 'near_due', 'overdue', 'returned', 'rework')),
  at timestamptz not null,
  read_at timestamptz,
  -- A pass that reads an entry again after a crash writes nothing twice.
  unique (event_id, user_id)
);
-- Newest first by id: ids are uuidv7, taken as the follower writes, in the log's order.
create index notifications_of_user on notifications (user_id, id desc);
create index notifications_unread on notifications (user_id) where read_at is null;

-- Messages to people not at a screen, sent by a channel (an HTTP SMS gateway, or the log). The
-- phone is read when the message is sent (a department's duty phone, the reporter's phone), never
-- stored here; the text holds the case number and a short public status only.
create table outbound_messages (
  id uuid primary key,
  event_id uuid not null,
  recipient text not null check (recipient in ('department_duty', 'reporter')),
  region_code text not null,
  case_id uuid not null,
  department_id uuid,
  text text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (event_id, recipient)
);
create index outbound_messages_due on outbound_messages (next_attempt_at) where status = 'pending';

-- Every attempt to send, with the phone masked.
create table outbound_message_attempts (
  message_id uuid not null references outbound_messages (id) on delete cascade,
  attempt integer not null,
  at timestamptz not null default now(),
  channel text not null,
  phone_masked text,
  status text not null check (status in ('sent', 'failed')),
  error text,
  primary key (message_id, attempt)
);

-- Response templates (常用语) of a district: for a category (or any) and an action (or any);
-- `visibility` public ones are meant for notes the reporter sees.
create table response_templates (
  id uuid primary key,
  region_code text not null,
  category_code text references categories (code),
  action text,
  visibility text not null check (visibility in ('staff', 'public')),
  title text not null,
  body text not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index response_templates_of_region on response_templates (region_code, category_code, action);
