-- release_one: frees an execution wherever it is (finished, failed, cancelled); then, when saga
-- ids are given, schedules in the same call (the slot may have just come free). The release
-- function (release.lua) runs it for each execution of its batch.
-- ARGV: 1 prefix, 2 limits (see limits.lua), 3 execution id, 4 now ms, 5.. saga ids (optional)
-- Returns (decoded by release.reply.ts): {'was_active', meta} | {'was_pending', meta}
--   | {'unknown', false} (the request is not read back), followed, when saga ids were given,
--   by the scheduling run's elements (see schedule)

local release_one
do
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

  function release_one()
    local limits = limits_of(ARGV[2])
    local reply = released_reply(ARGV[3], limits)
    if #ARGV < 5 then return reply end
    start_run(tonumber(ARGV[4]))
    return schedule(limits, 5, reply)
  end
end
