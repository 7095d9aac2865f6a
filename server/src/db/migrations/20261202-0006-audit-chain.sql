-- The audit log becomes an append-only SM3 hash chain per region (docs/decisions/0005): entry n of a
-- region carries hash = SM3(hash of entry n-1 + canonical form of entry n), written by the app
-- (modules/audit), and audit_chain_heads holds each region's last number and hash.
alter table audit_log add column seq bigint, add column prev_hash text, add column hash text;

-- Entries written before the chain are numbered in the order they were written. SQL has no SM3, so
-- their hashes stay null and the app computes them from their content: the first entry it chains
-- in a region follows the hash of all the ones before, and `gridgov audit verify` checks them.
update audit_log
set seq = numbered.seq
from (select region_code, id, row_number() over (partition by region_code order by at, id) as seq from audit_log) numbered
where audit_log.region_code = numbered.region_code and audit_log.id = numbered.id;

alter table audit_log alter column seq set not null;
alter table audit_log add constraint audit_log_region_seq unique (region_code, seq);
alter table audit_log add constraint audit_log_hashes check ((prev_hash is null) = (hash is null));

-- One row per region, locked by every append: the writers of a region take turns.
create table audit_chain_heads (
  region_code text primary key,
  seq bigint not null,
  hash text not null
);

create function refuse_audit_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit log: % on % is refused (%)', tg_op, tg_table_name, tg_argv[0]
    using hint = 'Audit entries are never changed or removed; "gridgov audit verify" checks the chain.';
end
$$;

-- Mistakes and the application's own role are stopped here; a superuser can disable triggers, and
-- the chain (with a head hash recorded outside the database) is what shows it.
create trigger audit_log_append_only
  before update or delete or truncate on audit_log
  for each statement execute function refuse_audit_change('the audit log is append-only');

create trigger audit_chain_heads_kept
  before delete or truncate on audit_chain_heads
  for each statement execute function refuse_audit_change('a chain head is never removed');

create trigger audit_chain_heads_forward
  before update on audit_chain_heads
  for each row when (new.seq <= old.seq or new.region_code <> old.region_code)
  execute function refuse_audit_change('a chain head only moves forward');
