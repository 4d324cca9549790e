-- Repairs: active executions that are due (see the active set's scores in keys-and-meta.lua).

-- Handles a due active execution (`score` its active score): a lease that ran out (the slot is
-- reclaimed) or a dispatch still unconfirmed after the grace period (handed out again under the
-- same saga), unless its lease, counted from the dispatch, has run out too. Returns kind, meta,
-- request JSON; or nil for an entry without an execution behind it, which would be a bug
-- elsewhere: it is dropped rather than left to stop every scheduling run.
local function repair_step(limits, id, score)
  local meta_json, payload = read(id)
  if not meta_json then
    counted(K_ACTIVE, 0, redis.call('ZREM', K_ACTIVE, id))
    return nil
  end
  local now = CALL.now
  local meta = parse_meta(meta_json)
  local lease_deadline = tonumber(meta.d) + limits.lease_ms
  if is_unconfirmed(score) and lease_deadline >= now then
    add_active(unconfirmed_until(math.min(now + limits.grace_ms, lease_deadline)), id)
    return 'redispatch', meta_json, payload
  end
  free_slot(id, meta.u, limits.recent_capacity)
  return 'lease_expired', meta_json, payload
end
