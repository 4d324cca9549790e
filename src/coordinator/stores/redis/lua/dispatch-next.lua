-- dispatch-next: one scheduling step. In this order: reclaim one expired lease; hand out again
-- one dispatch left unconfirmed past the grace period; or, unless held or at capacity, take the
-- next pending execution (priority, then arrival) and either drop it as stale or make it active.
-- KEYS: the twelve of common.lua.
-- ARGV: 1 prefix, 2 now ms, 3 new saga id, 4 max active, 5 stale timeout ms, 6 lease ms,
--       7 dispatch grace ms, 8 recent-ids capacity
-- Returns: {'lease_expired', meta, payload} | {'redispatch', meta, payload}
--        | {'expired', meta, payload} | {'dispatched', meta, payload}
--        | {'idle', 'held' | 'at_capacity' | 'empty'}
local now, saga = tonumber(ARGV[2]), ARGV[3]
local max_active, stale_ms, lease_ms, grace_ms, recent_capacity = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local lost = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. int(now), 'LIMIT', 0, 1)[1]
if lost then
  local meta_json, payload = redis.call('HGET', K_EXEC, lost), redis.call('HGET', K_PAYLOAD, lost)
  free_slot(lost, cjson.decode(meta_json), recent_capacity)
  return {'lease_expired', meta_json, payload}
end

local unconfirmed = redis.call('ZRANGEBYSCORE', K_UNCONFIRMED, '-inf', '(' .. int(now - grace_ms), 'LIMIT', 0, 1)[1]
if unconfirmed then
  redis.call('ZADD', K_UNCONFIRMED, int(now), unconfirmed)
  return {'redispatch', redis.call('HGET', K_EXEC, unconfirmed), redis.call('HGET', K_PAYLOAD, unconfirmed)}
end

if redis.call('EXISTS', K_HELD) == 1 then return {'idle', 'held'} end
if redis.call('ZCARD', K_ACTIVE) >= max_active then return {'idle', 'at_capacity'} end
local next_id = redis.call('ZRANGE', K_PENDING, 0, 0)[1]
if not next_id then return {'idle', 'empty'} end

local meta = cjson.decode(redis.call('HGET', K_EXEC, next_id))
local payload = redis.call('HGET', K_PAYLOAD, next_id)
unqueue(next_id, meta)
if now - meta.e > stale_ms then
  forget(next_id)
  remember(next_id, recent_capacity)
  return {'expired', cjson.encode(meta), payload}
end

meta.s, meta.d, meta.g = 'a', now, saga
local meta_json = cjson.encode(meta)
redis.call('HSET', K_EXEC, next_id, meta_json)
redis.call('ZADD', K_ACTIVE, redis.call('HINCRBY', K_COUNTERS, 'dseq', 1), next_id)
redis.call('ZADD', K_LEASES, int(now + lease_ms), next_id)
redis.call('ZADD', K_UNCONFIRMED, int(now), next_id)
adjust_usage(meta.u, 0, 1)
return {'dispatched', meta_json, payload}
