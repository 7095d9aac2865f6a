-- Cases handled on the spot (就地处置) by the grid worker who found them, closed at community level
-- on report, and the supervisors' sample review (抽查) of them (docs/decisions/0030).
alter table cases add column handled_on_spot boolean not null default false;
-- The sample review: passed, or failed (the case went back to its finder for rework). A failed
-- review stays failed after the rework, so that it is counted.
alter table cases add column spot_review text check (spot_review in ('passed', 'failed'));
alter table cases add constraint cases_spot_review_on_spot check (spot_review is null or handled_on_spot);
-- The review list: the on-the-spot cases not reviewed yet, newest first, by community.
create index cases_spot_unreviewed on cases (region_code, community_code, created_at desc) where handled_on_spot and spot_review is null;
-- The dashboard counts them per division: the on-the-spot cases alone, by community.
create index cases_on_spot on cases (region_code, community_code) include (spot_review) where handled_on_spot;

-- Photos taken when a result is verified (核查) or a sample review is made, beside the before- and
-- after-photos. They are staff's evidence and never shown to the public.
alter table attachments drop constraint attachments_kind_check;
alter table attachments add constraint attachments_kind_check check (kind in ('before', 'after', 'verification'));
