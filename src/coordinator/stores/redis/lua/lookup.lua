-- lookup: one execution with its state and, when pending, its true position.
-- ARGV: 1 prefix, 2 execution id.
-- Returns: {} if unknown | {meta, payload, position or -1 when active}
local id = ARGV[2]
local meta_json, payload = read(id)
if not meta_json then return {} end
local position = redis.call('ZRANK', K_PENDING, id)
return {meta_json, payload, position or -1}
