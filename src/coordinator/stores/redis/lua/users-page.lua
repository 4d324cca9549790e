-- users-page: users with pending or active executions, largest total first, ties by user id.
-- Sorts every such user (as the in-memory store does): an operator's page, not a hot path, and
-- keeping a ranking up to date would cost every admission, dispatch and release a write.
-- The active counts come from the active executions (bounded by the active limit).
-- ARGV: 1 prefix, 2 offset, 3 limit.
-- Returns (decoded by users-page.reply.ts): {total, user1, pending1, active1, user2, ...}
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local flat = redis.call('HGETALL', K_USAGE)
local active_counts = active_per_user()
local rows = {}
for i = 1, #flat, 2 do
  local total, active = tonumber(flat[i + 1]), active_counts[flat[i]] or 0
  rows[#rows + 1] = {flat[i], total - active, active, total}
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
