-- Remembering finished and refused ids, so that a redelivered request for one is a duplicate.

-- Remembers a finished or refused id (refusal = its reason, or nil); beyond the capacity the
-- oldest are forgotten. `had_record`: the id was pending or active, so its meta becomes the
-- tombstone and its request is emptied in the same write (the empty field goes when the id is
-- forgotten). The id joins the recent list with the others this call remembers, in one write
-- (add_recent): when the call ends, or before an admission looks an id up, since only an
-- admission tells a tombstone from an unknown id. Should a call fail half way, the ids it
-- remembered keep their tombstones without a place in the list, so they are never forgotten:
-- a few fields, and only after a failed call.
local function remember(id, capacity, refusal, had_record)
  if capacity <= 0 then
    redis.call('HDEL', K_EXEC, id, 'r:' .. id)
    return
  end
  local tombstone = refusal and ('x:' .. refusal) or 'f'
  if had_record then
    redis.call('HSET', K_EXEC, id, tombstone, 'r:' .. id, '')
  else
    redis.call('HSET', K_EXEC, id, tombstone)
  end
  local call = CALL
  call.recent_to_add[#call.recent_to_add + 1], call.recent_capacity = id, capacity
end

-- Drops a pending or active execution's request and remembers its id.
local function finish(id, recent_capacity)
  remember(id, recent_capacity, nil, true)
end

-- Appends the ids this call remembered to the recent list in one write; beyond the capacity the
-- oldest are forgotten, both their fields.
local function add_recent()
  local call = CALL
  if #call.recent_to_add == 0 then return end
  local size = redis.call('RPUSH', K_RECENT, unpack(call.recent_to_add))
  call.recent_to_add = {}
  if size > call.recent_capacity then
    local evicted = redis.call('LPOP', K_RECENT, int(size - call.recent_capacity))
    local fields = {}
    for _, old in ipairs(evicted) do
      fields[#fields + 1] = old
      fields[#fields + 1] = 'r:' .. old
    end
    redis.call('HDEL', K_EXEC, unpack(fields))
  end
end
