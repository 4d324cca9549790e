-- release_one: frees an execution wherever it is (finished, failed, cancelled); then, when saga
-- ids are given, schedules in the same call (the slot may have just come free). The release
-- function runs it for each execution of its batch.
-- ARGV: 1 prefix, 2 limits (see limits_of), 3 execution id, 4 now ms, 5.. saga ids (optional)
-- Returns: {'was_active', meta} | {'was_pending', meta} | {'unknown', false}   (the request is
--   not read back), followed, when saga ids were given, by the schedule reply's elements (see
--   schedule)
local function released_reply(id, limits)
  local meta_json = redis.call('HGET', K_EXEC, id)
  if not is_record(meta_json) then return {'unknown', false} end
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
  local reply = released_reply(ARGV[3], limits_of(ARGV[2]))
  if #ARGV < 5 then return reply end
  return schedule(settings_at(ARGV[2], tonumber(ARGV[4])), 5, reply)
end
