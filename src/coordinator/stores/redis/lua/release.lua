-- release: frees an execution wherever it is (finished, failed, cancelled).
-- KEYS: the twelve of common.lua.
-- ARGV: 1 prefix, 2 execution id, 3 recent-ids capacity
-- Returns: {'was_active', meta, payload} | {'was_pending', meta, payload} | {'unknown'}
local id, recent_capacity = ARGV[2], tonumber(ARGV[3])
local meta_json = redis.call('HGET', K_EXEC, id)
if not meta_json then return {'unknown'} end
local meta, payload = cjson.decode(meta_json), redis.call('HGET', K_PAYLOAD, id)
if meta.s == 'a' then
  free_slot(id, meta, recent_capacity)
  return {'was_active', meta_json, payload}
end
unqueue(id, meta)
forget(id)
remember(id, recent_capacity)
return {'was_pending', meta_json, payload}
