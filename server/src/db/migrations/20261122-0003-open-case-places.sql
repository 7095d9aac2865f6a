-- Duplicate search at intake looks for open cases in a box around the new report's point: a GiST
-- index over the points of open cases only stays small however many cases are closed.
create index cases_open_place on cases using gist (point(lng, lat))
  where status in ('reported', 'accepted', 'registered', 'dispatched', 'in_progress', 'suspended', 'handled');
drop index cases_place;
