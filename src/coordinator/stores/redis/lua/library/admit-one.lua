-- admit_one: one admission, as the admit function (admit.lua) runs it for each request of its
-- batch.
-- ARGV: 1 prefix, 2 limits (see limits.lua), 3 execution id, 4 user id, 5 priority rank
--       (0 critical .. 4 background), 6 now ms, 7 request JSON,
--       8.. saga ids: when given and the request is accepted, schedules in the same call
-- Returns (decoded by admit.reply.ts):
--          {'duplicate', 'pending', position, priority rank} | {'duplicate', 'active' | 'finished'}
--        | {'duplicate', 'refused', 'queue_full' | 'user_limit'}
--        | {'accepted', position, passable, n, expired...}  expired = n pairs meta1, request1,
--                                                  meta2, request2, ...; passable: 1 when later
--                                                  arrivals of other users may still go ahead of
--                                                  it (fair order), else 0
--        | {'queue_full', expired...}
--        | {'user_limit', current, expired...}
-- When saga ids were given and the request was accepted, the scheduling run's elements follow
-- (see schedule), or just 'waiting' without scheduling when others were already waiting (see
-- the port's admit).

local admit_one
do
  -- The stale executions swept, oldest first, while the queue is full: appended to `result` as
  -- meta, request pairs, their count kept in result[4].
  local function sweep_stale(limits, now, result)
    local cutoff = now - limits.stale_ms
    while true do
      local oldest, meta, text = oldest_pending(limits)
      if not oldest or tonumber(meta.e) >= cutoff then return end
      local payload = redis.call('HGET', K_EXEC, 'r:' .. oldest)
      unqueue(limits, oldest, text, meta.u)
      finish(oldest, limits.recent_capacity)
      result[#result + 1] = text
      result[#result + 1] = payload
      result[4] = result[4] + 1
    end
  end

  -- A refusal's reply: `head` then the swept executions of `result` (from its fifth element).
  local function refusal_reply(result, ...)
    local reply = {...}
    for index = 5, #result do reply[#reply + 1] = result[index] end
    return reply
  end

  function admit_one()
    local limits = limits_of(ARGV[2])
    local id, user, rank, now = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])

    -- The ids remembered so far must be in the recent list (and the oldest forgotten) before this
    -- one is looked up.
    add_recent()
    local known = redis.call('HGET', K_EXEC, id)
    if known then
      if is_record(known) then
        if is_active(known) then return {'duplicate', 'active'} end
        return {'duplicate', 'pending', redis.call('ZRANK', K_PENDING, member_of_meta(known, id)), tonumber(parse_meta(known).p)}
      end
      if known == 'f' then return {'duplicate', 'finished'} end
      return {'duplicate', 'refused', string.sub(known, 3)}
    end

    local result = {'accepted', 0, 0, 0}
    local waiting_before = pending_count()
    local waiting = waiting_before
    if waiting_before >= limits.max_queue then
      sweep_stale(limits, now, result)
      waiting = pending_count()
      if waiting >= limits.max_queue then
        remember(id, limits.recent_capacity, 'queue_full')
        return refusal_reply(result, 'queue_full')
      end
    end

    -- Counted first, taken back if over the limit: one call in the common case.
    local current = redis.call('HINCRBY', K_USAGE, user, '1') - 1
    if current >= limits.max_per_user then
      uncount_usage(user)
      remember(id, limits.recent_capacity, 'user_limit')
      -- The swept executions are reported with the refusal (dropping them here would lose them).
      return refusal_reply(result, 'user_limit', current)
    end
    if current == 0 then usage_field_added() end

    -- Meta and request in one write.
    local seq = next_number('seq', 1)
    local seq_text = int(seq)
    local meta = pending_meta(ARGV[5], ARGV[6], seq_text, id, user)
    redis.call('HSET', K_EXEC, id, meta, 'r:' .. id, ARGV[7])
    local key, virtual = seq, nil
    if limits.fair then
      -- Nothing waits, runs or is held (the held mark is in active): the fair clocks start over
      -- (see FairShare.restart).
      if waiting == 0 and active_count() == 0 then restart_fair_clocks() end
      key, virtual = next_tag(limits, rank, user, current == 0, waiting, now)
      if key > virtual then result[3] = 1 end
    end
    local member = member_of(seq, id)
    if #ARGV < 8 or waiting_before > 0 then
      place_pending(limits, id, user, seq_text, member, rank, key, now)
      result[2] = redis.call('ZRANK', K_PENDING, member)
      if #ARGV >= 8 then result[#result + 1] = 'waiting' end
      return result
    end
    -- Nothing else waits: the new execution is the head of the queue, so it is handed to the
    -- scheduling run rather than written into the queue's indexes and read back out of them (the
    -- common case while capacity keeps up). It is placed only if the run does not dispatch it
    -- (held, at capacity, or stopped early).
    start_run(now)
    CALL.in_hand = {id = id, member = member, level = rank, key = key, virtual = virtual, meta = meta, payload = ARGV[7]}
    schedule(limits, 8, result)
    if CALL.in_hand then place_pending(limits, id, user, seq_text, member, rank, key, now) end
    return result
  end
end
