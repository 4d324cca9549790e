-- The sizes of the pending and active sets, and moving hot sets and hashes out of Redis's
-- packed encoding.
--
-- Redis keeps a small sorted set or hash packed in one block (a listpack: up to
-- zset-max-listpack-entries members or hash-max-listpack-entries fields, 128 by default), where
-- a read walks the entries one by one and a write rewrites the block. Past a few entries that
-- costs more, on every admission and dispatch, than the skip list or hash table Redis uses
-- beyond (see docs/benchmarks.md, "Redis instructions"; moving at 8 entries did best). One
-- member, field or value longer than the *-max-listpack-value setting (64 bytes by default)
-- moves a set or hash out of its block for good (until it is deleted), so once a hot set or
-- hash holds UNPACK_FROM entries such an entry is added and at once removed. Readers see the
-- same members either way.

local pending_count, active_count, move_to_skip_list, move_to_hash_table_if_grown, usage_field_added, counted
do
  local UNPACK_FROM = 8
  -- UNPACKING_ENTRY (in the generated prelude) is longer than any id or user (MAX_ID_LENGTH), so
  -- it can name nothing real.

  function pending_count()
    local call = CALL
    if not call.pending_count then call.pending_count = redis.call('ZCARD', K_PENDING) end
    return call.pending_count
  end
  function active_count()
    local call = CALL
    if not call.active_count then call.active_count = redis.call('ZCARD', K_ACTIVE) end
    return call.active_count
  end

  -- A set that shrank below the threshold and grows to it again is already out of its block (a
  -- set that hovers there, as the active set at capacity does, would otherwise be moved on every
  -- dispatch): one read of the encoding is cheaper than the two writes, which Redis also logs.
  function move_to_skip_list(key)
    if redis.call('OBJECT', 'ENCODING', key) ~= 'listpack' then return end
    redis.call('ZADD', key, '0', UNPACKING_ENTRY)
    redis.call('ZREM', key, UNPACKING_ENTRY)
  end
  -- A hash's size is not known without asking, so this asks: called only when a write added fields.
  function move_to_hash_table_if_grown(key)
    if redis.call('OBJECT', 'ENCODING', key) == 'listpack' and redis.call('HLEN', key) >= UNPACK_FROM then
      redis.call('HSET', key, UNPACKING_ENTRY, '')
      redis.call('HDEL', key, UNPACKING_ENTRY)
    end
  end

  -- A user's first pending or active execution adds its field to the usage hash; the hash is
  -- looked at then, once per call, unless it cannot be that large: it has one field per user with
  -- executions pending or active, so no more fields than those.
  function usage_field_added()
    local call = CALL
    if call.usage_looked then return end
    call.usage_looked = true
    if pending_count() + active_count() + 1 < UNPACK_FROM then return end
    move_to_hash_table_if_grown(K_USAGE)
  end

  -- Adds what a ZADD (members added) or ZREM (members removed, as `removed`) on the pending or
  -- active set reported to the size this call knows, and moves the set to the skip list when an
  -- add brings it to UNPACK_FROM members. Returns whether it did: the indexes kept beside the
  -- pending set follow it then (see place_pending).
  function counted(key, added, removed)
    local call = CALL
    local change = (added or 0) - (removed or 0)
    local before, after
    if key == K_PENDING and call.pending_count then
      before = call.pending_count
      after = before + change
      call.pending_count = after
    elseif key == K_ACTIVE and call.active_count then
      before = call.active_count
      after = before + change
      call.active_count = after
    else
      return false
    end
    if before < UNPACK_FROM and after >= UNPACK_FROM then
      move_to_skip_list(key)
      return true
    end
    return false
  end
end
