-- pending-page: pending executions in queue order with true positions, optionally one level
-- and/or one user. Never scans the queue: ranges by rank or score, O(log n + limit).
-- ARGV: 1 prefix, 2 priority rank or '', 3 user id or '', 4 offset, 5 limit
-- Returns: {total, meta1, position1, meta2, position2, ...}
local rank, user, offset, limit = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local source = K_PENDING
if user ~= '' then source = user_pending_key(user) end
local ids, total
if rank then
  total = redis.call('ZCOUNT', source, level_min(rank), level_max_exclusive(rank))
  ids = redis.call('ZRANGEBYSCORE', source, level_min(rank), level_max_exclusive(rank), 'LIMIT', int(offset), int(limit))
else
  total = redis.call('ZCARD', source)
  ids = limit > 0 and redis.call('ZRANGE', source, int(offset), int(offset + limit - 1)) or {}
end
local result = {total}
local first_position
if user == '' then
  first_position = offset
  if rank then first_position = first_position + redis.call('ZCOUNT', K_PENDING, '-inf', '(' .. level_min(rank)) end
end
for i, id in ipairs(ids) do
  result[#result + 1] = read_meta(id)
  result[#result + 1] = first_position and (first_position + i - 1) or redis.call('ZRANK', K_PENDING, id)
end
return result
