-- The queue limits arrive as one argument, the numbers of LIMIT_FIELDS joined by commas
-- (generated from the store's LIMIT_FIELDS in redis-limits.ts), instead of one argument each.
-- Each distinct text is parsed once and kept; the table is read-only and carries the ordering
-- policy too (fair, aging_ms, default_weight).

local limits_of
do
  local limits_by_text, limits_kept = {}, 0

  function limits_of(text)
    local limits = limits_by_text[text]
    if limits then return limits end
    limits = {}
    local count = 0
    for value in string.gmatch(text, '[^,]+') do
      count = count + 1
      local name = LIMIT_FIELDS[count]
      if not name or not string.match(value, '^%d+$') then count = -1 break end
      limits[name] = tonumber(value)
    end
    if count ~= #LIMIT_FIELDS then error('unreadable queue limits: ' .. tostring(text)) end
    limits.fair = limits.fair_order == 1
    if limits_kept >= 16 then limits_by_text, limits_kept = {}, 0 end
    limits_by_text[text], limits_kept = limits, limits_kept + 1
    return limits
  end
end
