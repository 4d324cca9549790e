-- Shared part of the Redis function library built from this folder (see redis-scripts.ts):
-- loaded once with FUNCTION LOAD, so these helpers are compiled once, not on every call. Each
-- other file is the body of one function; `bind` gives it its KEYS and ARGV.
--
-- KEYS (the same eleven, in this order, for every script):
--   1 pending      ZSET  execution id -> priority rank * 2^48 + arrival sequence (queue order)
--   2 exec         HASH  execution id -> JSON {i id, u user, p priority rank, e enqueued ms, q sequence,
--                        s 'p' pending | 'a' active, d dispatched ms, g saga id};
--                        'r:'..execution id -> the original execution_requested JSON
--   3 active       ZSET  execution id -> dispatch sequence (dispatch order)
--   4 leases       ZSET  execution id -> lease deadline ms
--   5 unconfirmed  ZSET  execution id -> ms the dispatch was handed out (command not yet confirmed)
--   6 usage        HASH  'p:'..user -> pending count, 'a:'..user -> active count
--   7 users        ZSET  user -> -(pending + active), so ascending order is largest first, ties by id
--   8 recent       ZSET  execution id -> insertion number (finished or refused ids, bounded)
--   9 counters     HASH  seq (arrivals), dseq (dispatches), rseq (recent insertions)
--  10 held         STRING '1' while dispatching is held
--  11 refusals     HASH  execution id -> 'queue_full' | 'user_limit' for remembered refusals
-- Every redis.call costs about a microsecond of the server's single thread, so the scripts
-- avoid calls that change nothing (zero deltas, unchanged totals).
-- ARGV[1] is always the key prefix, for the per-user pending sets (prefix..'user-pending:'..user).
local KEYS, ARGV, PREFIX
local K_PENDING, K_EXEC, K_ACTIVE, K_LEASES, K_UNCONFIRMED, K_USAGE, K_USERS, K_RECENT, K_COUNTERS, K_HELD, K_REFUSALS

local function bind(keys, args)
  KEYS, ARGV, PREFIX = keys, args, args[1]
  K_PENDING, K_EXEC, K_ACTIVE, K_LEASES, K_UNCONFIRMED = keys[1], keys[2], keys[3], keys[4], keys[5]
  K_USAGE, K_USERS, K_RECENT, K_COUNTERS, K_HELD, K_REFUSALS = keys[6], keys[7], keys[8], keys[9], keys[10], keys[11]
end
local LEVEL_SPAN = 281474976710656 -- 2^48: one band of scores per priority level
local LEVELS = 5

-- Scores go out as exact integers (Lua's default number formatting keeps only 14 digits).
local function int(n) return string.format('%.0f', n) end
local function level_min(rank) return int(rank * LEVEL_SPAN) end
local function level_max_exclusive(rank) return '(' .. int((rank + 1) * LEVEL_SPAN) end
local function score_of(rank, seq) return int(rank * LEVEL_SPAN + seq) end
local function user_pending_key(user) return PREFIX .. 'user-pending:' .. user end

-- Reads an execution's record and request in one call: meta JSON, request JSON (or nil).
local function read(id)
  local found = redis.call('HMGET', K_EXEC, id, 'r:' .. id)
  return found[1], found[2]
end

local function adjust_usage(user, pending_delta, active_delta)
  local counts = redis.call('HMGET', K_USAGE, 'p:' .. user, 'a:' .. user)
  local pending = tonumber(counts[1] or '0') + pending_delta
  local active = tonumber(counts[2] or '0') + active_delta
  if pending == 0 and active == 0 then
    redis.call('HDEL', K_USAGE, 'p:' .. user, 'a:' .. user)
    redis.call('ZREM', K_USERS, user)
    return
  end
  if pending_delta ~= 0 and active_delta ~= 0 then
    redis.call('HSET', K_USAGE, 'p:' .. user, pending, 'a:' .. user, active)
  elseif pending_delta ~= 0 then
    redis.call('HSET', K_USAGE, 'p:' .. user, pending)
  else
    redis.call('HSET', K_USAGE, 'a:' .. user, active)
  end
  if pending_delta + active_delta ~= 0 then redis.call('ZADD', K_USERS, -(pending + active), user) end
end

-- Remembers a finished or refused id (refusal = its reason, or nil) so a redelivered request
-- for it is a duplicate; beyond capacity the oldest are forgotten.
local function remember(id, capacity, refusal)
  if capacity <= 0 then return end
  if redis.call('ZADD', K_RECENT, 'NX', redis.call('HINCRBY', K_COUNTERS, 'rseq', 1), id) == 0 then return end
  if refusal then redis.call('HSET', K_REFUSALS, id, refusal) end
  local size = redis.call('ZCARD', K_RECENT)
  if size > capacity then
    local evicted = redis.call('ZRANGE', K_RECENT, 0, size - capacity - 1)
    redis.call('ZREMRANGEBYRANK', K_RECENT, 0, size - capacity - 1)
    redis.call('HDEL', K_REFUSALS, unpack(evicted))
  end
end

-- Takes a pending execution out of the queue (not out of exec/payload).
local function unqueue(id, meta)
  redis.call('ZREM', K_PENDING, id)
  redis.call('ZREM', user_pending_key(meta.u), id)
  adjust_usage(meta.u, -1, 0)
end

local function forget(id)
  redis.call('HDEL', K_EXEC, id, 'r:' .. id)
end

-- Frees an active execution's slot and everything it held.
local function free_slot(id, meta, recent_capacity)
  redis.call('ZREM', K_ACTIVE, id)
  redis.call('ZREM', K_LEASES, id)
  redis.call('ZREM', K_UNCONFIRMED, id)
  adjust_usage(meta.u, 0, -1)
  forget(id)
  remember(id, recent_capacity)
end

-- The oldest pending execution (smallest arrival sequence among the five level heads).
local function oldest_pending()
  local best_id, best_meta
  for rank = 0, LEVELS - 1 do
    local head = redis.call('ZRANGEBYSCORE', K_PENDING, level_min(rank), level_max_exclusive(rank), 'LIMIT', 0, 1)[1]
    if head then
      local meta = cjson.decode(redis.call('HGET', K_EXEC, head))
      if not best_meta or meta.q < best_meta.q then best_id, best_meta = head, meta end
    end
  end
  return best_id, best_meta
end

-- One scheduling step (see schedule.lua for the order). settings = {now, max_active, stale_ms,
-- lease_ms, grace_ms, recent_capacity}. Returns kind, meta JSON, payload JSON; or 'idle', reason.
local function dispatch_step(settings, saga)
  local now = settings.now
  local lost = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. int(now), 'LIMIT', 0, 1)[1]
  if lost then
    local meta_json, payload = read(lost)
    free_slot(lost, cjson.decode(meta_json), settings.recent_capacity)
    return 'lease_expired', meta_json, payload
  end

  local unconfirmed = redis.call('ZRANGEBYSCORE', K_UNCONFIRMED, '-inf', '(' .. int(now - settings.grace_ms), 'LIMIT', 0, 1)[1]
  if unconfirmed then
    redis.call('ZADD', K_UNCONFIRMED, int(now), unconfirmed)
    local meta_json, payload = read(unconfirmed)
    return 'redispatch', meta_json, payload
  end

  if redis.call('EXISTS', K_HELD) == 1 then return 'idle', 'held' end
  if redis.call('ZCARD', K_ACTIVE) >= settings.max_active then return 'idle', 'at_capacity' end
  local next_id = redis.call('ZRANGE', K_PENDING, 0, 0)[1]
  if not next_id then return 'idle', 'empty' end

  local next_meta, payload = read(next_id)
  local meta = cjson.decode(next_meta)
  unqueue(next_id, meta)
  if now - meta.e > settings.stale_ms then
    forget(next_id)
    remember(next_id, settings.recent_capacity)
    return 'expired', cjson.encode(meta), payload
  end

  meta.s, meta.d, meta.g = 'a', now, saga
  local meta_json = cjson.encode(meta)
  redis.call('HSET', K_EXEC, next_id, meta_json)
  redis.call('ZADD', K_ACTIVE, redis.call('HINCRBY', K_COUNTERS, 'dseq', 1), next_id)
  redis.call('ZADD', K_LEASES, int(now + settings.lease_ms), next_id)
  redis.call('ZADD', K_UNCONFIRMED, int(now), next_id)
  adjust_usage(meta.u, 0, 1)
  return 'dispatched', meta_json, payload
end

-- Scheduling steps until idle, one saga id (ARGV[first_saga..]) per dispatch, at most
-- MAX_REPAIR_STEPS steps that dispatch nothing. Returns {idle reason or '', kind1, meta1,
-- payload1, kind2, ...}; '' means it stopped early and should be run again.
local MAX_REPAIR_STEPS = 64
local function schedule(settings, first_saga)
  local result = {''}
  local saga_index, repairs = first_saga, 0
  while saga_index <= #ARGV and repairs < MAX_REPAIR_STEPS do
    local kind, first, payload = dispatch_step(settings, ARGV[saga_index])
    if kind == 'idle' then
      result[1] = first
      return result
    end
    result[#result + 1] = kind
    result[#result + 1] = first
    result[#result + 1] = payload
    if kind == 'dispatched' then saga_index = saga_index + 1 else repairs = repairs + 1 end
  end
  return result
end

-- Reads the six scheduling settings from ARGV[from .. from + 5].
local function schedule_settings(from)
  return {
    now = tonumber(ARGV[from]), max_active = tonumber(ARGV[from + 1]), stale_ms = tonumber(ARGV[from + 2]),
    lease_ms = tonumber(ARGV[from + 3]), grace_ms = tonumber(ARGV[from + 4]), recent_capacity = tonumber(ARGV[from + 5]),
  }
end
