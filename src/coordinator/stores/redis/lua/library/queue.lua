-- Putting executions into the queue's indexes and taking them out: the pending set, the
-- user's pending list, the usage count, and the indexes only some policies keep (arrivals
-- under fair order, aging with aging on).

-- Brings the arrivals index up to date with what this call put into the queue and took out of
-- it: before the index is read or changed otherwise, and when the call ends. Should a call fail
-- half way these writes are lost: the index then misses ids still pending (the stale sweep
-- passes them over until they are dispatched) or keeps ids no longer pending, which
-- oldest_pending drops.
local function sync_arrivals()
  local call = CALL
  if #call.new_arrivals > 0 then
    redis.call('ZADD', K_ARRIVALS, unpack(call.new_arrivals))
    call.new_arrivals = {}
    if call.arrivals_to_unpack then
      move_to_skip_list(K_ARRIVALS)
      call.arrivals_to_unpack = false
    end
  end
  if #call.left_arrivals > 0 then
    redis.call('ZREM', K_ARRIVALS, unpack(call.left_arrivals))
    call.left_arrivals = {}
  end
end
-- An execution taken out of the queue under fair order leaves the arrivals index with the rest.
local function left_arrivals(id)
  local left = CALL.left_arrivals
  left[#left + 1] = id
end

-- Puts a new pending execution (arrival sequence `seq_text`, a decimal string, and its pending
-- member) into the queue's indexes: pending at `level` under `key`, its user's list, and those
-- only some policies keep.
local function place_pending(limits, id, user, seq_text, member, level, key, now)
  local call = CALL
  if limits.fair then
    local arrivals = call.new_arrivals
    arrivals[#arrivals + 1] = seq_text
    arrivals[#arrivals + 1] = id
  end
  local reached_threshold = counted(K_PENDING, redis.call('ZADD', K_PENDING, score_of(level, key), member))
  schedule_aging(limits, id, level, now)
  redis.call('RPUSH', user_pending_key(user), member)
  -- The indexes as long as the queue follow it to the skip list (see encodings.lua).
  if reached_threshold then
    if limits.fair then call.arrivals_to_unpack = true end
    if limits.aging_ms > 0 then move_to_skip_list(K_AGING) end
  end
end

-- Takes a pending execution (its meta as stored) of `user` out of the queue, not out of the exec
-- hash.
local function unqueue(limits, id, meta_text, user)
  local member = member_of_meta(meta_text, id)
  counted(K_PENDING, 0, redis.call('ZREM', K_PENDING, member))
  if limits.fair then left_arrivals(id) end
  if limits.aging_ms > 0 then redis.call('ZREM', K_AGING, id) end
  redis.call('LREM', user_pending_key(user), '1', member)
  uncount_usage(user)
end

-- Frees the slot of an active execution of `user` and everything it held.
local function free_slot(id, user, recent_capacity)
  counted(K_ACTIVE, 0, redis.call('ZREM', K_ACTIVE, id))
  uncount_usage(user)
  finish(id, recent_capacity)
end

-- The oldest pending execution (smallest arrival sequence): under fifo the earliest of the level
-- heads, under fair the head of arrivals. Returns id, parsed meta, meta as stored.
local function oldest_pending(limits)
  if limits.fair then
    sync_arrivals()
    while true do
      local head = redis.call('ZRANGE', K_ARRIVALS, '0', '0')[1]
      if not head then return nil end
      local text = read_meta(head)
      if is_record(text) and not is_active(text) then return head, parse_meta(text), text end
      -- Left behind by a call that failed half way: not pending any more.
      redis.call('ZREM', K_ARRIVALS, head)
    end
  end
  local best_id, best_meta, best_text
  for rank = 0, LEVELS - 1 do
    local head = redis.call('ZRANGEBYSCORE', K_PENDING, level_min(rank), level_max_exclusive(rank), 'LIMIT', '0', '1')[1]
    if head then
      head = id_of(head)
      local text = read_meta(head)
      local meta = parse_meta(text)
      if not best_meta or tonumber(meta.q) < tonumber(best_meta.q) then best_id, best_meta, best_text = head, meta, text end
    end
  end
  return best_id, best_meta, best_text
end
