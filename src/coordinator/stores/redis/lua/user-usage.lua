-- user-usage: one user's pending and active counts.
-- ARGV: 1 prefix, 2 user id.   Returns: {pending, active}
local total = tonumber(redis.call('HGET', K_USAGE, ARGV[2]) or '0')
local active = active_per_user()[ARGV[2]] or 0
return {total - active, active}
