-- Idempotency keys are found by a hash of their scope and key, and the first answer is stored
-- encrypted under a key derived from the Idempotency-Key: a row is useless without the key.
-- Rows answer for 24 hours. The rows of the old form cannot be encrypted in SQL without their
-- keys' derivation; they are at most retries in flight, so they are dropped with the old table.
drop table idempotency_keys;
create table idempotency_keys (
  key_hash bytea primary key,
  request_mac bytea not null,
  status_code integer not null,
  response bytea not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index idempotency_keys_expiry on idempotency_keys (expires_at);

-- Uploads never attached to a case are purged after a while: found by age among the unattached.
create index attachments_unattached on attachments (created_at) where case_id is null;
