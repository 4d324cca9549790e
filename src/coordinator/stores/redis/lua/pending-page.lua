-- pending-page: pending executions in queue order with true positions, optionally one level
-- and/or one user. The whole queue is never scanned: ranges by rank or score, O(log n + limit);
-- a user's page reads and sorts that user's pending ids (at most the per-user limit).
-- ARGV: 1 prefix, 2 priority rank or '', 3 user id or '', 4 offset, 5 limit
-- Returns (decoded by pending-page.reply.ts): {total, meta1, position1, level1, meta2, position2, level2, ...}
local rank, user, offset, limit = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local result

if user ~= '' then
  local members = redis.call('LRANGE', user_pending_key(user), '0', '-1')
  local rows = {}
  if #members > 0 then
    local low, high = -1, math.huge
    if rank then low, high = rank * LEVEL_SPAN, (rank + 1) * LEVEL_SPAN end
    for i, score in ipairs(redis.call('ZMSCORE', K_PENDING, unpack(members))) do
      local value = score and tonumber(score)
      if value and value >= low and value < high then rows[#rows + 1] = {value, members[i]} end
    end
    table.sort(rows, function(a, b)
      if a[1] ~= b[1] then return a[1] < b[1] end
      return a[2] < b[2]
    end)
  end
  result = {#rows}
  for i = offset + 1, math.min(offset + limit, #rows) do
    local member = rows[i][2]
    result[#result + 1] = read_meta(id_of(member))
    result[#result + 1] = redis.call('ZRANK', K_PENDING, member)
    result[#result + 1] = (level_and_key(rows[i][1]))
  end
  return result
end

local found -- member1, score1, member2, score2, ...
if rank then
  result = {redis.call('ZCOUNT', K_PENDING, level_min(rank), level_max_exclusive(rank))}
  found = redis.call('ZRANGEBYSCORE', K_PENDING, level_min(rank), level_max_exclusive(rank), 'WITHSCORES', 'LIMIT', int(offset), int(limit))
else
  result = {redis.call('ZCARD', K_PENDING)}
  found = limit > 0 and redis.call('ZRANGE', K_PENDING, int(offset), int(offset + limit - 1), 'WITHSCORES') or {}
end
local first_position = offset
if rank then first_position = first_position + redis.call('ZCOUNT', K_PENDING, '-inf', '(' .. level_min(rank)) end
for i = 1, #found, 2 do
  result[#result + 1] = read_meta(id_of(found[i]))
  result[#result + 1] = first_position + (i - 1) / 2
  result[#result + 1] = (level_and_key(found[i + 1]))
end
return result
