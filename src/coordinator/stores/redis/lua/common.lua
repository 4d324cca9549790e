-- Prelude prepended to every script of this folder when it is loaded (see redis-scripts.ts).
--
-- KEYS (the same twelve, in this order, for every script):
--   1 pending      ZSET  execution id -> priority rank * 2^48 + arrival sequence (queue order)
--   2 exec         HASH  execution id -> JSON {i id, u user, p priority rank, e enqueued ms, q sequence,
--                        s 'p' pending | 'a' active, d dispatched ms, g saga id}
--   3 payload      HASH  execution id -> the original execution_requested JSON
--   4 active       ZSET  execution id -> dispatch sequence (dispatch order)
--   5 leases       ZSET  execution id -> lease deadline ms
--   6 unconfirmed  ZSET  execution id -> ms the dispatch was handed out (command not yet confirmed)
--   7 usage        HASH  'p:'..user -> pending count, 'a:'..user -> active count
--   8 users        ZSET  user -> -(pending + active), so ascending order is largest first, ties by id
--   9 recent       ZSET  execution id -> insertion number (finished or refused ids, bounded)
--  10 counters     HASH  seq (arrivals), dseq (dispatches), rseq (recent insertions)
--  11 held         STRING '1' while dispatching is held
--  12 refusals     HASH  execution id -> 'queue_full' | 'user_limit' for remembered refusals
-- ARGV[1] is always the key prefix, for the per-user pending sets (prefix..'user-pending:'..user).
local K_PENDING, K_EXEC, K_PAYLOAD, K_ACTIVE, K_LEASES, K_UNCONFIRMED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_USAGE, K_USERS, K_RECENT, K_COUNTERS, K_HELD, K_REFUSALS = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local PREFIX = ARGV[1]
local LEVEL_SPAN = 281474976710656 -- 2^48: one band of scores per priority level
local LEVELS = 5

-- Scores go out as exact integers (Lua's default number formatting keeps only 14 digits).
local function int(n) return string.format('%.0f', n) end
local function level_min(rank) return int(rank * LEVEL_SPAN) end
local function level_max_exclusive(rank) return '(' .. int((rank + 1) * LEVEL_SPAN) end
local function score_of(rank, seq) return int(rank * LEVEL_SPAN + seq) end
local function user_pending_key(user) return PREFIX .. 'user-pending:' .. user end

local function adjust_usage(user, pending_delta, active_delta)
  local pending = redis.call('HINCRBY', K_USAGE, 'p:' .. user, pending_delta)
  local active = redis.call('HINCRBY', K_USAGE, 'a:' .. user, active_delta)
  if pending == 0 and active == 0 then
    redis.call('HDEL', K_USAGE, 'p:' .. user, 'a:' .. user)
    redis.call('ZREM', K_USERS, user)
  else
    redis.call('ZADD', K_USERS, -(pending + active), user)
  end
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
  redis.call('HDEL', K_EXEC, id)
  redis.call('HDEL', K_PAYLOAD, id)
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
