-- The active set's front: what is due, and whether dispatching is held.

-- Whether dispatching is held, and the active execution most urgently due before `now` with its
-- score (or nil). Reads the first two members (the held mark sorts first) and remembers the
-- first score: a later look in the same call at a time before it needs no read (members only
-- leave, or come in through add_active, which lowers the remembered score when it must).
local function look_before_dispatching(now)
  local call = CALL
  local due_below = now * 2
  local front = call.active_front
  if front and front.score >= due_below then return front.held, nil, nil end
  local found = redis.call('ZRANGE', K_ACTIVE, '0', '1', 'WITHSCORES')
  local held = found[1] == HELD_MARK
  local id, score = found[1], found[2]
  if held then id, score = found[3], found[4] end
  front = {held = held, score = id and tonumber(score) or math.huge}
  call.active_front = front
  if id and front.score < due_below then return held, id, score end
  return held, nil, nil
end

-- Adds or moves an active execution under `score` (see the active set in keys-and-meta.lua).
local function add_active(score, id)
  counted(K_ACTIVE, redis.call('ZADD', K_ACTIVE, score, id))
  local front = CALL.active_front
  if front then front.score = math.min(front.score, tonumber(score)) end
end
