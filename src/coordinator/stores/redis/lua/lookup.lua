-- lookup: one execution with its state and, when pending, its true position and the level it
-- waits in.
-- ARGV: 1 prefix, 2 execution id.
-- Returns: {} if unknown | {meta, payload, position or -1 when active, level or -1}
local id = ARGV[2]
local meta_json, payload = read(id)
if not meta_json then return {} end
local position = redis.call('ZRANK', K_PENDING, id)
if not position then return {meta_json, payload, -1, -1} end
return {meta_json, payload, position, level_and_key(redis.call('ZSCORE', K_PENDING, id))}
