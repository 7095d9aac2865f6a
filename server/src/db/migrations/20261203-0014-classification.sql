-- Classification at registration, case numbers and place names found by their parts (docs/decisions/0018).

-- An emergency category (a missing manhole cover, a burst main) raises a case filed under it to
-- the emergency urgency, whatever the reporter said.
alter table categories add column emergency boolean not null default false;
update categories set emergency = true where code = 'event.emergency' or code like 'event.emergency.%';

-- The ordinal of a case number (530103-20261201-00012 → 00012), so that a dispatcher who has only
-- the tail a caller reads out finds the case: per region, newest first.
create index cases_number_ordinal on cases (region_code, (split_part(number, '-', 3)), created_at desc, id desc);

-- The two-character terms of a name (a Chinese word is matched by its character pairs), lower-cased
-- so that Latin letters match either way; a one-character name is its own term.
create function name_terms(name text) returns text[] language sql immutable strict parallel safe as $$
  select case when char_length(name) < 2 then array[lower(name)]
    else array(select substr(lower(name), i, 2) from generate_series(1, char_length(name) - 1) as i) end
$$;

-- Place search over streets, communities, courtyards, buildings and grids by a few characters.
create index divisions_name_terms on divisions using gin (name_terms(name));
create index grids_name_terms on grids using gin (name_terms(name));
