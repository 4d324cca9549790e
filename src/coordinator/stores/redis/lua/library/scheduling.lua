-- A scheduling run: aging, repairs, then dispatches, as CoordinatorState.schedule in
-- coordinator-state.ts runs them.

local schedule
do
  -- Takes the next pending execution and makes it active under `saga`, or drops it as stale.
  -- The next one is the admission in hand (CALL.in_hand, see admit-one.lua) when there is one:
  -- nothing else was waiting, and it was never written into the queue's indexes.
  -- Returns kind, meta, request JSON; or nil when the queue is empty.
  local function dispatch_step(limits, saga)
    local call = CALL
    local now, in_hand = call.now, call.in_hand
    local next_id, next_member, next_meta, payload
    if in_hand then
      -- It was all the queue held: a step after it finds the queue empty without asking Redis.
      call.in_hand, call.drained = nil, true
      next_id, next_member, next_meta, payload = in_hand.id, in_hand.member, in_hand.meta, in_hand.payload
      -- Its level's virtual time is usually its start tag already (next_tag moved it there).
      if limits.fair and in_hand.key ~= in_hand.virtual then take_turn_at(in_hand.level, in_hand.key) end
    elseif call.drained then
      return nil
    else
      local popped = redis.call('ZPOPMIN', K_PENDING) -- taken out of the queue either way
      next_member = popped[1]
      if not next_member then return nil end
      counted(K_PENDING, 0, 1)
      next_id = id_of(next_member)
      if limits.fair or limits.aging_ms > 0 then
        local level, key = level_and_key(popped[2])
        if limits.fair then
          take_turn_at(level, key)
          left_arrivals(next_id)
        end
        if limits.aging_ms > 0 and level > HIGHEST_AGED_LEVEL then redis.call('ZREM', K_AGING, next_id) end
      end
      next_meta, payload = read(next_id)
      -- A queue entry without an execution would be a bug elsewhere: skip it, never stall on it.
      if not next_meta then return dispatch_step(limits, saga) end
    end
    local enqueued, user, head, tail = split_pending_meta(next_meta)
    if not in_hand then redis.call('LREM', user_pending_key(user), '1', next_member) end
    if now - tonumber(enqueued) > limits.stale_ms then
      uncount_usage(user)
      finish(next_id, limits.recent_capacity)
      return 'expired', next_meta, payload
    end
    local meta_json = join_active_meta(head, now, next_number('dseq', call.sagas_per_call), saga, tail)
    redis.call('HSET', K_EXEC, next_id, meta_json)
    add_active(unconfirmed_until(now + math.min(limits.grace_ms, limits.lease_ms)), next_id)
    return 'dispatched', meta_json, payload
  end

  local function add_step(result, kind, meta_json, payload)
    result[#result + 1] = kind
    result[#result + 1] = meta_json
    result[#result + 1] = payload
  end

  -- Scheduling steps until idle, at the time start_run set (the caller may hand it an admission
  -- first, see admit-one.lua): aging (see promote_due), then repairs (see
  -- repair_step), then, unless held or at capacity, the next pending execution, dispatched under
  -- the next saga id (ARGV[first_saga..]) or dropped as stale. Appends to `result` (and returns
  -- it): idle reason or '', kind1, meta1, request1, kind2, ...; '' means it stopped early, because
  -- the saga ids or the budget of MAX_REPAIR_STEPS_PER_RUN steps that dispatch nothing ran out,
  -- and should be run again. Nothing a step does makes a repair due within the same run, so
  -- repairs are looked for first, and held and the active count are read once. Admissions and
  -- releases append the run to their own reply rather than nesting it: Redis converts every table
  -- of a reply on its own.
  function schedule(limits, first_saga, result)
    local now = CALL.now
    local idle_at = #result + 1
    result[idle_at] = ''
    local saga_index, repairs = first_saga, 0
    if saga_index > #ARGV then return result end
    -- The most this run can dispatch; dispatch numbers are taken for as many (see next_number).
    CALL.sagas_per_call = #ARGV - first_saga + 1
    if limits.aging_ms > 0 then promote_due(limits) end
    local held, due, score = look_before_dispatching(now)
    while due do
      if repairs >= MAX_REPAIR_STEPS_PER_RUN then return result end
      local kind, meta_json, payload = repair_step(limits, due, score)
      if kind then add_step(result, kind, meta_json, payload) end
      repairs = repairs + 1
      held, due, score = look_before_dispatching(now)
    end
    if held then
      result[idle_at] = 'held'
      return result
    end
    local active = active_count() -- the held mark is not there: not held
    while saga_index <= #ARGV and repairs < MAX_REPAIR_STEPS_PER_RUN do
      if active >= limits.max_active then
        result[idle_at] = 'at_capacity'
        return result
      end
      local kind, meta_json, payload = dispatch_step(limits, ARGV[saga_index])
      if not kind then
        result[idle_at] = 'empty'
        return result
      end
      add_step(result, kind, meta_json, payload)
      if kind == 'dispatched' then
        saga_index, active = saga_index + 1, active + 1
      else
        repairs = repairs + 1
      end
    end
    return result
  end
end
