-- Department duty phones, extra questions per category and their answers on cases (docs/decisions/0022).

-- The phone a department keeps staffed, for urgent notices to people not at a screen. The version
-- guards administrators' edits (If-Match), as it does for users and categories.
alter table departments add column duty_phone text check (duty_phone ~ '^[0-9+\- ]{5,20}$');
alter table departments add column version integer not null default 1;

-- A category's extra questions, in the order they are asked: [{ code, label: { zh, en }, type,
-- choices?, required, public, min?, max?, maxLength? }]. Checked by the API before they are stored.
alter table categories add column questions jsonb not null default '[]' check (jsonb_typeof(questions) = 'array');

-- A case's answers keyed by question code, each with the question's label, type and visibility as
-- they were when it was answered, so that later edits to the category do not change old cases.
alter table cases add column answers jsonb not null default '{}' check (jsonb_typeof(answers) = 'object');
