-- users-page: users with pending or active executions, largest total first, ties by user id.
-- KEYS: the eleven of common.lua.   ARGV: 1 prefix, 2 offset, 3 limit.
-- Returns: {total, user1, pending1, active1, user2, ...}
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local result = {redis.call('ZCARD', K_USERS)}
if limit <= 0 then return result end
for _, user in ipairs(redis.call('ZRANGE', K_USERS, offset, offset + limit - 1)) do
  result[#result + 1] = user
  result[#result + 1] = tonumber(redis.call('HGET', K_USAGE, 'p:' .. user) or '0')
  result[#result + 1] = tonumber(redis.call('HGET', K_USAGE, 'a:' .. user) or '0')
end
return result
