-- Grid workers ranked by what they found (decision 0033, third amendment): the kind 'reporter'
-- keeps two measures, reports and cases handled on the spot. Its rows are scattered over the
-- rollup tables' pages, which every case change updates, so a half month of grid workers visited
-- 3,000 pages for 4,640 rows at a million cases. These partial indexes hold the two measures, so
-- that the read is an index-only scan of the kind's range.
create index case_counts_reporters on case_counts (region_code, day, community_code, value)
  include (accepted, on_spot) where kind = 'reporter';
create index case_half_counts_reporters on case_half_counts (region_code, half, community_code, value)
  include (accepted, on_spot) where kind = 'reporter';
