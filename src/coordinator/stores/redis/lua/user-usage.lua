-- user-usage: one user's pending and active counts.
-- ARGV: 1 prefix, 2 user id.   Returns: {pending, active}
local pending, active = usage_counts(redis.call('HGET', K_USAGE, ARGV[2]))
return {pending, active}
