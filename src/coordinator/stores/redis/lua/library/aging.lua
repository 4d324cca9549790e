-- Aging: a pending execution below HIGHEST_AGED_LEVEL moves up one level every aging_ms of
-- waiting, as PendingQueue.promoteDue in pending-queue.ts does.

-- Registers when a pending execution at `level` next moves up, counting from `from` ms.
local function schedule_aging(limits, id, level, from)
  if limits.aging_ms > 0 and level > HIGHEST_AGED_LEVEL then redis.call('ZADD', K_AGING, int(from + limits.aging_ms), id) end
end

-- Lifts every pending execution whose next aging step is due by the run's time one level (at
-- most MAX_PROMOTIONS_PER_RUN), earliest due first, ties by id, reading the head each time.
local function promote_due(limits)
  local now = int(CALL.now)
  for _ = 1, MAX_PROMOTIONS_PER_RUN do
    local due = redis.call('ZRANGEBYSCORE', K_AGING, '-inf', now, 'WITHSCORES', 'LIMIT', '0', '1')
    if not due[1] then return end
    local id, at = due[1], tonumber(due[2])
    local meta_text = read_meta(id)
    local member = is_record(meta_text) and member_of_meta(meta_text, id)
    local score = member and redis.call('ZSCORE', K_PENDING, member)
    -- An aging entry that is not pending would be a bug elsewhere: drop it, never stall on it.
    local level = score and level_and_key(score) - 1 or 0
    if score then redis.call('ZADD', K_PENDING, 'XX', score_of(level, key_at(limits, level, parse_meta(meta_text))), member) end
    if level > HIGHEST_AGED_LEVEL then
      redis.call('ZADD', K_AGING, int(at + limits.aging_ms), id)
    else
      redis.call('ZREM', K_AGING, id)
    end
  end
end
