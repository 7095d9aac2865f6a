-- Who asked for the pending extension: approving it needs someone else.
alter table cases add column extension_requested_by uuid;

-- A category's department is a code or nothing; an empty code once got through and routed nowhere.
update categories set department_code = null where department_code = '';
alter table categories add constraint categories_department_code_not_empty check (department_code <> '');
