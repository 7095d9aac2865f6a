-- A rollup of cases per community and status, kept in the same transaction as every status change,
-- so that dashboards read a few hundred counters instead of scanning the case history.
create table case_status_counts (
  region_code text not null,
  community_code text not null,
  status text not null,
  cases integer not null check (cases >= 0),
  primary key (region_code, community_code, status)
);
insert into case_status_counts (region_code, community_code, status, cases)
  select region_code, community_code, status, count(*) from cases group by region_code, community_code, status;
