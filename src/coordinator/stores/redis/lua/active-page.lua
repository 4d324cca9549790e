-- active-page: active executions in dispatch order.
-- ARGV: 1 prefix, 2 offset, 3 limit.
-- Returns: {total, meta1, meta2, ...}
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local result = {redis.call('ZCARD', K_ACTIVE)}
if limit <= 0 then return result end
for _, id in ipairs(redis.call('ZRANGE', K_ACTIVE, offset, offset + limit - 1)) do
  result[#result + 1] = read_meta(id)
end
return result
