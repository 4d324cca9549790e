-- The per-user counts: the usage hash (pending + active per user) and, for the admin reads,
-- active executions per user.

-- One execution of `user` less counted against the per-user limit. The count is read first, so
-- a user's last one is one write (the field deleted) rather than two (counted down to 0, then
-- deleted): a read costs Redis less than a write, which it also logs.
local function uncount_usage(user)
  if redis.call('HGET', K_USAGE, user) == '1' then
    redis.call('HDEL', K_USAGE, user)
  else
    redis.call('HINCRBY', K_USAGE, user, '-1')
  end
end

-- How many active executions each user has: {user -> count}, from every active execution's
-- meta in one read. For the admin reads only (bounded by the active limit).
local function active_per_user()
  local ids = {}
  for _, id in ipairs(redis.call('ZRANGE', K_ACTIVE, '0', '-1')) do
    if id ~= HELD_MARK then ids[#ids + 1] = id end
  end
  local counts = {}
  if #ids == 0 then return counts end
  for _, meta in ipairs(redis.call('HMGET', K_EXEC, unpack(ids))) do
    if meta then
      local user = meta_user(meta)
      counts[user] = (counts[user] or 0) + 1
    end
  end
  return counts
end
