-- users-page: users with pending or active executions, largest total first, ties by user id.
-- Sorts every such user (as the in-memory store does): an operator's page, not a hot path, and
-- keeping a ranking up to date would cost every admission, dispatch and release a write.
-- ARGV: 1 prefix, 2 offset, 3 limit.
-- Returns: {total, user1, pending1, active1, user2, ...}
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local flat = redis.call('HGETALL', K_USAGE)
local rows = {}
for i = 1, #flat, 2 do
  local pending, active = usage_counts(flat[i + 1])
  rows[#rows + 1] = {flat[i], pending, active, pending + active}
end
table.sort(rows, function(a, b)
  if a[4] ~= b[4] then return a[4] > b[4] end
  return a[1] < b[1]
end)
local result = {#rows}
for i = offset + 1, math.min(offset + limit, #rows) do
  result[#result + 1] = rows[i][1]
  result[#result + 1] = rows[i][2]
  result[#result + 1] = rows[i][3]
end
return result
