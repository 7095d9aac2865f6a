-- Accounts (docs/decisions/0007-accounts-and-sign-in.md).

-- Separation of the three administrators (三员分立): no account holds more than one of the system
-- administrator, security administrator and auditor roles. An existing account that does stops
-- the migration, naming it, rather than losing a role nobody chose.
do $$
declare
  offenders text;
begin
  select string_agg(username, ', ' order by username) into offenders
  from users
  where ('admin' = any (roles))::int + ('security_admin' = any (roles))::int + ('auditor' = any (roles))::int > 1;
  if offenders is not null then
    raise exception 'accounts hold more than one of admin, security_admin, auditor: %', offenders
      using hint = 'Remove all but one of these roles from each account named, then migrate again.';
  end if;
end
$$;
alter table users add constraint users_one_administrator_role
  check (('admin' = any (roles))::int + ('security_admin' = any (roles))::int + ('auditor' = any (roles))::int <= 1);

-- Failed sign-ins no longer lock the account (anyone could lock anyone out): they are throttled per
-- account and source address in login_throttles. An administrator's lock lasts until unlocked.
alter table users drop column failed_logins;
alter table users drop column locked_until;
alter table users add column locked_at timestamptz;
-- Set for accounts made or reset by someone else: the owner chooses a password at first sign-in.
alter table users add column password_change_required boolean not null default false;
-- Guards administrators' edits (If-Match), as categories and cases do.
alter table users add column version integer not null default 1;

-- Failed sign-ins by account name (whether or not it exists) and source address. Every server
-- process reads and writes the same rows.
create table login_throttles (
  username text not null,
  source text not null,
  failures integer not null check (failures > 0),
  last_failed_at timestamptz not null,
  blocked_until timestamptz,
  primary key (username, source)
);
create index login_throttles_last_failed on login_throttles (last_failed_at);
