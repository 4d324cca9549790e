-- lookup: one execution with its state and, when pending, its true position.
-- KEYS: the twelve of common.lua.   ARGV: 1 prefix, 2 execution id.
-- Returns: {} if unknown | {meta, payload, position or -1 when active}
local id = ARGV[2]
local meta_json = redis.call('HGET', K_EXEC, id)
if not meta_json then return {} end
local position = redis.call('ZRANK', K_PENDING, id)
return {meta_json, redis.call('HGET', K_PAYLOAD, id), position or -1}
