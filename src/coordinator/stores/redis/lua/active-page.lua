-- active-page: active executions in dispatch order. Reads and sorts every active execution:
-- an operator's page, bounded by the active limit, so dispatch and release need not keep a
-- second ordered set.
-- ARGV: 1 prefix, 2 offset, 3 limit.
-- Returns (decoded by active-page.reply.ts): {total, meta1, meta2, ...}
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local rows = {}
for _, id in ipairs(redis.call('ZRANGE', K_ACTIVE, '0', '-1')) do
  if id ~= HELD_MARK then
    local meta_json = read_meta(id)
    rows[#rows + 1] = {tonumber(parse_meta(meta_json).o), meta_json}
  end
end
table.sort(rows, function(a, b) return a[1] < b[1] end)
local result = {#rows}
for i = offset + 1, math.min(offset + limit, #rows) do result[#result + 1] = rows[i][2] end
return result
