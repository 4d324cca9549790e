-- release: frees an execution wherever it is (finished, failed, cancelled); then, when saga ids
-- are given, schedules in the same call (the slot may have just come free).
-- ARGV: 1 prefix, 2 execution id, 3 now ms, 4 max active, 5 stale timeout ms, 6 lease ms,
--       7 dispatch grace ms, 8 recent-ids capacity, 9.. saga ids (optional)
-- Returns: {release reply, schedule reply or false}, where release reply is
--   {'was_active', meta} | {'was_pending', meta} | {'unknown'}   (the request is not read back)
local id, recent_capacity = ARGV[2], tonumber(ARGV[8])

local function release()
  local meta_json = redis.call('HGET', K_EXEC, id)
  if not is_record(meta_json) then return {'unknown'} end
  local user = meta_user(meta_json)
  if string.byte(meta_json, 1) == 97 then -- 'a': active
    free_slot(id, user, recent_capacity)
    return {'was_active', meta_json}
  end
  unqueue(id, user)
  finish(id, recent_capacity)
  return {'was_pending', meta_json}
end

local released = release()
if #ARGV < 9 then return {released, false} end
return {released, schedule(schedule_settings(3), 9)}
