-- Fair order's clocks, as FairShare in fair-share.ts keeps them. The fair hash holds, per level:
-- 'v'..level, the level's virtual time (the start tag of the last execution taken from it, or
-- where its last busy period ended); 'm'..level, the latest finish tag given there; and
-- level..':'..user, the user's finish tag there. A call reads each field at most once and
-- writes the ones it changed when it ends (see write-back.lua).

local take_turn_at, restart_fair_clocks, weight_of, next_tag, key_at
do
  -- The per-level field names, made once: each concatenation would make and intern a string.
  local VIRTUAL_FIELD, LATEST_FIELD, USER_FIELD_PREFIX = {}, {}, {}
  for level = 0, LEVELS - 1 do
    VIRTUAL_FIELD[level], LATEST_FIELD[level], USER_FIELD_PREFIX[level] = 'v' .. level, 'm' .. level, level .. ':'
  end

  -- Reads the fields among `a`, `b` and `c` (distinct) this call does not know yet: all three in
  -- one HMGET, or, as is usual once the call has read its level's clocks, each missing one (the
  -- user's own) with an HGET. Reading ahead for every admission of a packed call cost more in the
  -- tables it built than the calls it saved.
  local function read_fair_clocks(a, b, c)
    local known = CALL.fair_known
    if known[a] == nil then
      if known[b] == nil and known[c] == nil then
        local found = redis.call('HMGET', K_FAIR, a, b, c)
        known[a], known[b], known[c] = tonumber(found[1]) or false, tonumber(found[2]) or false, tonumber(found[3]) or false
        return
      end
      known[a] = tonumber(redis.call('HGET', K_FAIR, a)) or false
    end
    if known[b] == nil then known[b] = tonumber(redis.call('HGET', K_FAIR, b)) or false end
    if known[c] == nil then known[c] = tonumber(redis.call('HGET', K_FAIR, c)) or false end
  end
  local function set_fair_clock(field, value)
    local call = CALL
    call.fair_known[field], call.fair_set[field] = value, true
  end
  -- Sets the virtual time of `level` (an execution with start tag `tag` was taken from it).
  function take_turn_at(level, tag)
    set_fair_clock(VIRTUAL_FIELD[level], tag)
  end
  -- Fair order starts over (see admit-one.lua): the clocks go, this call's copy with them.
  function restart_fair_clocks()
    redis.call('DEL', K_FAIR)
    CALL.fair_known, CALL.fair_set = {}, {}
  end

  -- A user's weight. Until an operator sets one nobody has a weight of its own, and one look per
  -- call at whether the hash exists saves each admission its read.
  function weight_of(limits, user)
    local call = CALL
    if call.any_weights == nil then call.any_weights = redis.call('EXISTS', K_WEIGHTS) == 1 end
    return call.any_weights and tonumber(redis.call('HGET', K_WEIGHTS, user)) or limits.default_weight
  end

  -- Whether an arrival at `level` ends that level's busy period: a slot is free (fewer executions
  -- active than the limit, dispatching not held) and nothing waits at the level. `waiting` is the
  -- pending count admit read (the held mark is in the active set, so an empty set means not held,
  -- and an empty queue has nothing at any level). Held is read with the look the scheduling run
  -- after the admission makes anyway, which then costs it no call of its own.
  local function settles_level(limits, level, waiting, now)
    local active = active_count()
    if active >= limits.max_active then return false end
    if active > 0 and look_before_dispatching(now) then return false end
    return waiting == 0 or redis.call('ZCOUNT', K_PENDING, level_min(level), level_max_exclusive(level)) == 0
  end

  -- The start tag of `user`'s next turn at `level` and the level's virtual time after it was
  -- given, the finish tag recorded. As FairShare.nextTag: max(virtual time, last finish), or the
  -- virtual time alone for a user with nothing pending or running (`user_idle`); an arrival
  -- (`waiting` and `now` given, see settles_level) that finds nothing waiting at its level and a
  -- slot free first moves the level's virtual time up to the latest finish tag given there.
  function next_tag(limits, level, user, user_idle, waiting, now)
    local virtual_field, latest_field, user_field = VIRTUAL_FIELD[level], LATEST_FIELD[level], USER_FIELD_PREFIX[level] .. user
    local known = CALL.fair_known
    local virtual, own, latest = known[virtual_field], known[user_field], known[latest_field]
    if virtual == nil or own == nil or latest == nil then
      read_fair_clocks(virtual_field, user_field, latest_field)
      virtual, own, latest = known[virtual_field], known[user_field], known[latest_field]
    end
    virtual, latest = virtual or 0, latest or 0
    local weight = weight_of(limits, user)
    local virtual_before = virtual
    if waiting and latest > virtual and settles_level(limits, level, waiting, now) then
      virtual = latest
    end
    local start = virtual
    if not user_idle then start = math.max(virtual, own or 0) end
    local finish_tag = start + math.floor(TURN_LENGTH / weight)
    -- Only the fields that changed: each field written is work Redis logs too.
    set_fair_clock(user_field, finish_tag)
    if virtual ~= virtual_before then set_fair_clock(virtual_field, virtual) end
    if finish_tag > latest then set_fair_clock(latest_field, finish_tag) end
    return start, virtual
  end

  -- The key of a pending execution (meta parsed) at `level`: its arrival sequence, or under fair
  -- order its user's next start tag there.
  function key_at(limits, level, meta)
    if limits.fair then return (next_tag(limits, level, meta.u, false)) end
    return tonumber(meta.q)
  end
end
