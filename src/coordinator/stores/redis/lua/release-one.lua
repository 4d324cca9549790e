-- release_one: frees an execution wherever it is (finished, failed, cancelled); then, when saga
-- ids are given, schedules in the same call (the slot may have just come free). The release
-- function runs it for each execution of its batch.
-- ARGV: 1 prefix, 2 limits (see limits_of), 3 execution id, 4 now ms, 5.. saga ids (optional)
-- Returns: {release reply, schedule reply or false}, where release reply is
--   {'was_active', meta} | {'was_pending', meta} | {'unknown'}   (the request is not read back)
local function released_reply(id, limits)
  local meta_json = redis.call('HGET', K_EXEC, id)
  if not is_record(meta_json) then return {'unknown'} end
  local user = meta_user(meta_json)
  if is_active(meta_json) then
    free_slot(id, user, limits.recent_capacity)
    return {'was_active', meta_json}
  end
  unqueue(limits, id, meta_json, user)
  finish(id, limits.recent_capacity)
  return {'was_pending', meta_json}
end

local function release_one()
  local released = released_reply(ARGV[3], limits_of(ARGV[2]))
  if #ARGV < 5 then return {released, false} end
  return {released, schedule(settings_at(ARGV[2], tonumber(ARGV[4])), 5)}
end
