-- user-usage: one user's pending and active counts.
-- KEYS: the eleven of common.lua.   ARGV: 1 prefix, 2 user id.   Returns: {pending, active}
return {tonumber(redis.call('HGET', K_USAGE, 'p:' .. ARGV[2]) or '0'), tonumber(redis.call('HGET', K_USAGE, 'a:' .. ARGV[2]) or '0')}
