-- Whether the reporter says the problem was solved (是否解决), beside satisfaction: the hotline's
-- resolution rate (解决率) is counted from it. Null until rated, or when a phone call did not ask.
alter table cases add column resolved boolean;
