-- Shared part of the Redis function library built from this folder (see redis-scripts.ts):
-- loaded once with FUNCTION LOAD, so these helpers are compiled once, not on every call. Each
-- other file is the body of one function (admit-one.lua and release-one.lua hold the single
-- calls the admit and release functions run for each call packed into theirs, see each_call);
-- `bind` gives a function its ARGV and key names, and `write_back` runs when it ends.
--
-- Keys: the ten below are declared by every call, in this order (KEY_NAMES in
-- redis-queue-state.store.ts), so Redis knows each key a call touches and a Cluster routes it;
-- the per-user lists cannot be known before a call (a dispatch finds its user inside), so they
-- are named here from the prefix in ARGV[1], as the store's prefix names the declared ones. On a
-- Cluster the prefix carries a hash tag ('{execution-queue}:'), so every key is in one slot:
--   pending    ZSET   member: arrival sequence as 12 hex digits, then the execution id (see
--                     member_of), score: level * 2^48 + key (see below): queue order
--   exec       HASH   execution id -> while pending or active, its meta (see encode_meta); afterwards,
--                     while remembered, a tombstone: 'f' (finished) or 'x:queue_full' |
--                     'x:user_limit' (refused);
--                     'r:'..execution id -> the original execution_requested JSON (pending or active;
--                     emptied when it finishes, deleted when its tombstone is)
--   active     ZSET   active executions, each scored by when a scheduling run must look at it
--                     again: 2 * ms + 1 while its dispatch is unconfirmed (ms = end of the grace
--                     period, or the lease deadline if that comes first), 2 * ms once confirmed
--                     (ms = lease deadline: dispatch or last sign of life + lease); plus 'h:' at
--                     -inf while dispatching is held. One query finds what is due and whether held.
--   usage      HASH   user -> pending + active executions (the per-user limit's count; a
--                     dispatch leaves it alone, and the admin reads split it using active)
--   recent     LIST   finished or refused ids, oldest first, at most the recent-ids capacity
--   counters   HASH   seq (arrivals), dseq (dispatches; meta o, the active page's order),
--                     order ('fifo' | 'fair': the order the pending executions were queued in,
--                     recorded at start, see order-check.lua), layout ('2': pending members
--                     start with the arrival sequence)
--   pending's score, exactly: level * 2^48 + key, where level is the level the execution waits
--                     in (its priority rank, or higher once aged) and key its arrival sequence
--                     (fifo) or its start tag (fair); equal scores go by member, which starts
--                     with the arrival sequence: so by arrival
--   fair       HASH   fair order's clocks: 'v'..level -> virtual time (start tag of the last
--                     execution taken from that level, or where its last busy period ended),
--                     'm'..level -> the latest finish tag given there, level..':'..user -> the
--                     user's finish tag there. Deleted when an admission finds nothing pending,
--                     active or held.
--   weights    HASH   user -> weight set by an operator (absent: the default weight)
--   arrivals   ZSET   fair order only: pending ids by arrival sequence (the stale sweep and
--                     the oldest-waiting figure need arrival order, which pending no longer is)
--   aging      ZSET   with aging on: pending ids below high by when they next move up a level
-- Per-user pending lists: LIST prefix..'user-pending:'..user, the user's pending members in arrival
-- order (queue order comes from pending's scores when a page is read; a list is several times
-- cheaper to append to and take from than a sorted set, and the taken id sits near its head).
--
-- Cost model: Redis runs one script at a time on its single thread, and each redis.call costs
-- about a microsecond there whether it reads or writes (some 7,000 instructions with the
-- command's own work, counted by callgrind); each write costs nearly as much again when the
-- call ends, as Redis logs it (append-only file, replicas); and the Lua tables a call makes or
-- nests in its reply cost too (making fewer took about 8% off a fair cycle's instructions, see
-- docs/benchmarks.md, 2026-12-06). So the layout is chosen to need few
-- calls and written elements on the hot path (admit, dispatch, release): one usage field per
-- user, one element per active execution for its lease and its unconfirmed dispatch, duplicate
-- memory inside the record hash. Element writes to large sorted sets cost the most. The request
-- JSON is read into Lua only where it is returned: Lua interns every string, and its hash of a
-- long string samples only 32 characters, so near-identical requests share hash chains and
-- every long string made costs a walk along them.
-- ARGV[1] is always the key prefix.
local ARGV, PREFIX
local K_PENDING, K_EXEC, K_ACTIVE, K_USAGE, K_RECENT, K_COUNTERS, K_FAIR, K_WEIGHTS, K_ARRIVALS, K_AGING
local HELD_MARK = 'h:'
-- The sizes of the pending and active sets (the held mark counts as a member) as this call last
-- knew them, nil when it has not read them. A call that packs several (see each_call) reads
-- each once, not once per packed call: every write that adds or removes members adjusts the
-- size it knows by what the write reports (see counted), and bind forgets both, as other calls
-- may have changed the sets since.
local PENDING_COUNT, ACTIVE_COUNT
-- Numbers of the counters hash (seq, dseq) this call took and has not handed out yet, the next
-- and the last of each (see next_number), and how many calls are packed into it from the one
-- running on (see each_call).
local NEXT_TAKEN, LAST_TAKEN, CALLS_LEFT = {}, {}, nil
-- What this call last learnt of the active set's order (see look_before_dispatching): whether
-- dispatching is held, and a score no member but the held mark is below; nil when unknown.
local ACTIVE_FRONT
-- Fair order's clock fields (see the fair hash above) as this call read or set them (field ->
-- number, false when absent), and the ones it set; those are written in one call when the
-- call ends (write_back), not once per admission or dispatch. And the executions this call put
-- into the queue or took out of it under fair order, added to or removed from the arrivals
-- index in one call each likewise (or before anything else reads or changes that index). Should
-- a call fail half way these writes are lost: a clock then lags until its next turn or
-- dispatch; the index misses ids still pending (so the stale sweep passes them over until they
-- are dispatched) or keeps ids no longer pending, which oldest_pending drops.
local FAIR_KNOWN, FAIR_SET, NEW_ARRIVALS, LEFT_ARRIVALS = {}, {}, {}, {}
-- Ids this call remembered (see remember) and has not appended to the recent list yet, and the
-- recent-ids capacity they go in with.
local RECENT_TO_ADD, RECENT_CAPACITY = {}, nil
-- Set when this call moved the pending set to the skip list under fair order: the arrivals
-- index follows it when its additions are written (see move_to_skip_list, sync_arrivals).
local ARRIVALS_TO_UNPACK
-- Whether this call has looked at the usage hash's encoding (see usage_field_added).
local USAGE_LOOKED
-- Whether any user has a weight of its own (see weight_of); nil until this call needs to know.
local ANY_WEIGHTS
-- The last scheduling run's settings (see settings_at), nil before the first.
local SETTINGS

local function bind(keys, args)
  ARGV, PREFIX = args, args[1]
  K_PENDING, K_EXEC, K_ACTIVE, K_USAGE, K_RECENT, K_COUNTERS, K_FAIR, K_WEIGHTS, K_ARRIVALS, K_AGING = unpack(keys)
  PENDING_COUNT, ACTIVE_COUNT = nil, nil
  NEXT_TAKEN.seq, NEXT_TAKEN.dseq, LAST_TAKEN.seq, LAST_TAKEN.dseq, CALLS_LEFT = nil, nil, nil, nil, 1
  ACTIVE_FRONT = nil
  -- The tables a call fills are made anew only when the last call left something in them (it
  -- read clocks, or failed half way): each new table costs Redis an allocation and, later, a
  -- collection (see the cost model above).
  if next(FAIR_KNOWN) ~= nil then FAIR_KNOWN = {} end
  if next(FAIR_SET) ~= nil then FAIR_SET = {} end
  if #NEW_ARRIVALS > 0 then NEW_ARRIVALS = {} end
  if #LEFT_ARRIVALS > 0 then LEFT_ARRIVALS = {} end
  if #RECENT_TO_ADD > 0 then RECENT_TO_ADD = {} end
  ARRIVALS_TO_UNPACK, USAGE_LOOKED = false, false
  ANY_WEIGHTS, SETTINGS = nil, nil
end


local function pending_count()
  if not PENDING_COUNT then PENDING_COUNT = redis.call('ZCARD', K_PENDING) end
  return PENDING_COUNT
end
local function active_count()
  if not ACTIVE_COUNT then ACTIVE_COUNT = redis.call('ZCARD', K_ACTIVE) end
  return ACTIVE_COUNT
end

-- Redis keeps a small sorted set or hash packed in one block (a listpack: up to
-- zset-max-listpack-entries members, hash-max-listpack-entries fields, 128 by default), where
-- a read walks the entries one by one and a write rewrites the block. Past a few entries that
-- costs more than the skip list or hash table Redis uses beyond, on every admission and
-- dispatch: packed, a queue of a hundred made a cycle about 10% dearer, fair order's clock
-- hash 5%, and an active set of 16 slots 2% (instructions counted with `npm run bench --
-- instructions`, 2026-12-06; moving at 8 entries gave fewer than at 16 or 32). One member,
-- field or value longer than the *-max-listpack-value setting (64 bytes by default) moves a
-- set or hash out of its block for good (it is deleted once emptied). So once a set or hash of
-- the hot path holds UNPACK_FROM entries such an entry is added and at once removed. Readers
-- see the same members either way. The entry is longer than any id or user (MAX_ID_LENGTH,
-- 128), so it can name nothing real.
local UNPACK_FROM = 8
-- 256 bytes, made by doubling: the string library is not there while the library loads.
local UNPACKING_ENTRY = '~~~~~~~~~~~~~~~~'
for _ = 1, 4 do UNPACKING_ENTRY = UNPACKING_ENTRY .. UNPACKING_ENTRY end
-- A set that shrank below the threshold and grows to it again is already out of its block (a
-- set that hovers there, as the active set at capacity does, would otherwise be moved on every
-- dispatch): one read of the encoding is cheaper than the two writes, which Redis also logs.
local function move_to_skip_list(key)
  if redis.call('OBJECT', 'ENCODING', key) ~= 'listpack' then return end
  redis.call('ZADD', key, '0', UNPACKING_ENTRY)
  redis.call('ZREM', key, UNPACKING_ENTRY)
end
-- A hash's size is not known without asking, so this asks: called only when a write added fields.
local function move_to_hash_table_if_grown(key)
  if redis.call('OBJECT', 'ENCODING', key) == 'listpack' and redis.call('HLEN', key) >= UNPACK_FROM then
    redis.call('HSET', key, UNPACKING_ENTRY, '')
    redis.call('HDEL', key, UNPACKING_ENTRY)
  end
end
-- A user's first pending or active execution adds its field to the usage hash; the hash is
-- looked at then, once per call, unless it cannot be that large: it has one field per user with
-- executions pending or active, so no more fields than those (the counts are read or known).
local function usage_field_added()
  if USAGE_LOOKED then return end
  USAGE_LOOKED = true
  if pending_count() + active_count() + 1 < UNPACK_FROM then return end
  move_to_hash_table_if_grown(K_USAGE)
end
local function grew_past_packing(before, after)
  return before < UNPACK_FROM and after >= UNPACK_FROM
end
-- Adds what a ZADD (members added) or ZREM (members removed, as `removed`) reported to the size
-- known for `key`, and moves the set to the skip list when an add brings it to UNPACK_FROM
-- members (see above). Returns whether an add did so: the indexes kept beside the pending set
-- follow it then.
local function counted(key, added, removed)
  local change = (added or 0) - (removed or 0)
  local before
  if key == K_PENDING and PENDING_COUNT then
    before, PENDING_COUNT = PENDING_COUNT, PENDING_COUNT + change
    if grew_past_packing(before, PENDING_COUNT) then move_to_skip_list(key) return true end
  elseif key == K_ACTIVE and ACTIVE_COUNT then
    before, ACTIVE_COUNT = ACTIVE_COUNT, ACTIVE_COUNT + change
    if grew_past_packing(before, ACTIVE_COUNT) then move_to_skip_list(key) return true end
  end
  return false
end
local LEVEL_SPAN = 281474976710656 -- 2^48: one band of scores per priority level
local LEVELS = 5
-- The fair hash's per-level field names (see above), made once: each concatenation would make
-- and intern a string.
local VIRTUAL_FIELD, LATEST_FIELD, USER_FIELD_PREFIX = {}, {}, {}
for level = 0, LEVELS - 1 do
  VIRTUAL_FIELD[level], LATEST_FIELD[level], USER_FIELD_PREFIX[level] = 'v' .. level, 'm' .. level, level .. ':'
end
-- A user's field of the fair hash at `level` (its finish tag there).
local function user_clock_field(level, user) return USER_FIELD_PREFIX[level] .. user end

-- Numbers go to redis.call as strings made here: Redis would format a Lua number with
-- "%.17g" (slow, and Lua's own default keeps only 14 digits); %d goes through a C integer.
-- Constant numeric arguments are written as string literals for the same reason.
local function int(n) return string.format('%d', n) end
local function level_min(rank) return int(rank * LEVEL_SPAN) end
local function level_max_exclusive(rank) return '(' .. int((rank + 1) * LEVEL_SPAN) end
local function score_of(rank, key) return int(rank * LEVEL_SPAN + key) end
-- The level and the key within it of a pending score.
local function level_and_key(score)
  local value = tonumber(score)
  local level = math.floor(value / LEVEL_SPAN)
  return level, value - level * LEVEL_SPAN
end
local HIGHEST_AGED_LEVEL = 1 -- aging lifts up to high, never into critical
local MAX_PROMOTIONS = 256 -- per scheduling run (MAX_PROMOTIONS_PER_RUN in pending-queue.ts)
local function user_pending_key(user) return PREFIX .. 'user-pending:' .. user end
-- A pending execution's member: its arrival sequence, fixed-width hex, then its id. Redis orders
-- equal scores by member, so executions whose keys tie (fair order) go by arrival.
local function member_of(seq, id) return string.format('%012x%s', seq, id) end
local function id_of(member) return string.sub(member, 13) end
-- The member of a pending execution from its meta text (the sequence is its fourth field).
local function member_of_meta(meta_text, id) return member_of(tonumber(string.match(meta_text, '^[pa]|[^|]*|[^|]*|(%d*)|')), id) end
-- Scores of the active set (see above).
local function unconfirmed_until(ms) return int(ms * 2 + 1) end
local function lease_until(ms) return int(ms * 2) end

-- Reads into this call's copy (FAIR_KNOWN) the fair clock fields among `a`, `b` and `c`
-- (distinct) it does not know yet: all three in one HMGET, or, as is usual once the call has
-- read its level's clocks, each missing one (the user's own) with an HGET. No table of field
-- names is built: dropping them took 2% off a fair cycle's instructions. Reading ahead for all
-- admissions of a packed call likewise cost more in the tables it built than the calls it
-- saved (see docs/benchmarks.md, 2026-12-06).
local function read_fair_clocks(a, b, c)
  local known = FAIR_KNOWN
  if known[a] == nil then
    if known[b] == nil and known[c] == nil then
      local found = redis.call('HMGET', K_FAIR, a, b, c)
      known[a], known[b], known[c] = tonumber(found[1]) or false, tonumber(found[2]) or false, tonumber(found[3]) or false
      return
    end
    known[a] = tonumber(redis.call('HGET', K_FAIR, a)) or false
  end
  if known[b] == nil then known[b] = tonumber(redis.call('HGET', K_FAIR, b)) or false end
  if known[c] == nil then known[c] = tonumber(redis.call('HGET', K_FAIR, c)) or false end
end
local function set_fair_clock(field, value)
  FAIR_KNOWN[field], FAIR_SET[field] = value, true
end
-- Fair order starts over (see admit-one.lua): the clocks go, this call's copy with them.
local function restart_fair_clocks()
  redis.call('DEL', K_FAIR)
  FAIR_KNOWN, FAIR_SET = {}, {}
end

-- Brings the arrivals index up to date with what this call put into the queue and took out of
-- it (see NEW_ARRIVALS): before the index is read or changed otherwise, and when the call ends.
local function sync_arrivals()
  if #NEW_ARRIVALS > 0 then
    redis.call('ZADD', K_ARRIVALS, unpack(NEW_ARRIVALS))
    NEW_ARRIVALS = {}
    if ARRIVALS_TO_UNPACK then
      move_to_skip_list(K_ARRIVALS)
      ARRIVALS_TO_UNPACK = false
    end
  end
  if #LEFT_ARRIVALS > 0 then
    redis.call('ZREM', K_ARRIVALS, unpack(LEFT_ARRIVALS))
    LEFT_ARRIVALS = {}
  end
end

-- Appends the ids this call remembered to the recent list in one write (see remember); beyond
-- capacity the oldest are forgotten, both their fields.
local function add_recent()
  if #RECENT_TO_ADD == 0 then return end
  local size = redis.call('RPUSH', K_RECENT, unpack(RECENT_TO_ADD))
  RECENT_TO_ADD = {}
  if size > RECENT_CAPACITY then
    local evicted = redis.call('LPOP', K_RECENT, int(size - RECENT_CAPACITY))
    local fields = {}
    for _, old in ipairs(evicted) do
      fields[#fields + 1] = old
      fields[#fields + 1] = 'r:' .. old
    end
    redis.call('HDEL', K_EXEC, unpack(fields))
  end
end

-- The writes a call keeps for its end (see FAIR_KNOWN); every function runs it when it ends.
local function write_back()
  add_recent()
  sync_arrivals()
  if next(FAIR_SET) == nil then return end
  local fields = {}
  for field in pairs(FAIR_SET) do
    fields[#fields + 1], fields[#fields + 2] = field, int(FAIR_KNOWN[field])
  end
  -- New fields (a user's first turn at a level, or clocks started over) may outgrow the packed hash.
  if redis.call('HSET', K_FAIR, unpack(fields)) > 0 then move_to_hash_table_if_grown(K_FAIR) end
  FAIR_SET = {}
end

-- The next number of the counter `field` (arrivals 'seq', dispatches 'dseq'). A packed call takes
-- a block with one increment, `per_call` numbers for each packed call still to run, and hands
-- them out in order. The numbers only order executions, so the ones a call does not use leave
-- harmless gaps; and a block is taken before any of it is used, so no number is handed out twice
-- even when a call fails half way.
local function next_number(field, per_call)
  local number = NEXT_TAKEN[field]
  if not number or number > LAST_TAKEN[field] then
    local wanted = per_call * CALLS_LEFT
    local last = redis.call('HINCRBY', K_COUNTERS, field, int(wanted))
    number, LAST_TAKEN[field] = last - wanted + 1, last
  end
  NEXT_TAKEN[field] = number + 1
  return number
end

-- An execution's meta, one string: s|p|e|q|d|o|g|i|u = state ('p' pending, 'a' active), priority
-- rank, enqueued ms, arrival sequence, dispatched ms, dispatch sequence, saga id, execution id,
-- user id (last, as the only field that may hold '|'; ids and saga ids never do). Cheaper to
-- make and read here than JSON (cjson formats every number with %.14g); redis-meta.ts reads it.
-- Fields stay strings in the table; compare numbers with tonumber.
local META_PATTERN = '^([pa])|(%d*)|(%d*)|(%d*)|(%d*)|(%d*)|([^|]*)|([^|]*)|(.*)$'
local function parse_meta(text)
  local s, p, e, q, d, o, g, i, u = string.match(text, META_PATTERN)
  return {s = s, p = p, e = e, q = q, d = d, o = o, g = g, i = i, u = u}
end
local function encode_meta(m)
  return m.s .. '|' .. m.p .. '|' .. m.e .. '|' .. m.q .. '|' .. m.d .. '|' .. m.o .. '|' .. m.g .. '|' .. m.i .. '|' .. m.u
end

-- The hot paths read single fields without building a table.
local function meta_user(text) return string.match(text, '^[pa]|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|(.*)$') end
-- A pending meta's parts, in one match: what precedes its dispatch fields (from the bar after
-- the state on), its enqueued ms, what follows its saga (from the bar before the execution id
-- on), and its user. The meta made active is 'a' .. head .. dispatched ms, order and saga
-- joined by bars .. tail (see dispatch_step).
local PENDING_PATTERN = '^p(|%d*|(%d*)|%d*|)||(|[^|]*|(.*))$'

-- A meta starts with its state and a bar; anything else in the exec hash is a tombstone.
local function is_record(value)
  return value ~= false and value ~= nil and string.byte(value, 2) == 124 -- '|'
end
local function is_active(meta) return string.byte(meta, 1) == 97 end -- 'a'

-- An execution's meta and request JSON; both nil when the id is unknown or only remembered.
local function read(id)
  local found = redis.call('HMGET', K_EXEC, id, 'r:' .. id)
  if not is_record(found[1]) then return nil, nil end
  return found[1], found[2]
end

-- Just the meta of a pending or active execution.
local function read_meta(id)
  return redis.call('HGET', K_EXEC, id)
end

-- One execution of `user` less counted against the per-user limit. The count is read first, so
-- a user's last one is one write (the field deleted) rather than two (counted down to 0, then
-- deleted): Redis logs every write a call makes (append-only file, replicas), some 5,000
-- instructions on top of the call's 7,000, so a read and a write cost it less than two writes
-- (see docs/benchmarks.md, 2026-12-06).
local function uncount_usage(user)
  if redis.call('HGET', K_USAGE, user) == '1' then
    redis.call('HDEL', K_USAGE, user)
  else
    redis.call('HINCRBY', K_USAGE, user, '-1')
  end
end

-- How many active executions each user has: {user -> count}. Reads every active execution's
-- meta in one call: for the admin reads only (bounded by the active limit).
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

-- Remembers a finished or refused id (refusal = its reason, or nil) so a redelivered request
-- for it is a duplicate; beyond capacity the oldest are forgotten (both their fields).
-- `had_record`: the id was pending or active, so its meta becomes the tombstone and its request
-- is emptied in the same call (the empty field goes when the id is forgotten: one call, not two).
-- The id joins the recent list with the others this call remembers, in one write when the call
-- ends (add_recent): each write is a call and Redis logs it too (see the cost model above).
-- Only an admission tells a tombstone from an unknown id, so admit_one adds them before
-- it looks; until then, forgetting the oldest waits too, which nothing else in the call can see.
-- Should a call fail half way, the ids it remembered keep their tombstones without a place in
-- the list, so they are never forgotten: a few fields, and only after a failed call.
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
  RECENT_TO_ADD[#RECENT_TO_ADD + 1], RECENT_CAPACITY = id, capacity
end

-- Drops a pending or active execution's request and remembers its id.
local function finish(id, recent_capacity)
  remember(id, recent_capacity, nil, true)
end

-- Takes id out of the indexes only some policies keep: arrivals (fair order; with the call's other
-- removals from it, see LEFT_ARRIVALS) and aging.
local function unindex(policy, id)
  if policy.fair then LEFT_ARRIVALS[#LEFT_ARRIVALS + 1] = id end
  if policy.aging_ms > 0 then redis.call('ZREM', K_AGING, id) end
end

-- Takes a pending execution (meta text as stored) of `user` out of the queue (not out of exec/payload).
local function unqueue(policy, id, meta_text, user)
  local member = member_of_meta(meta_text, id)
  counted(K_PENDING, 0, redis.call('ZREM', K_PENDING, member))
  unindex(policy, id)
  redis.call('LREM', user_pending_key(user), '1', member)
  uncount_usage(user)
end

-- Frees the slot of an active execution of `user` and everything it held.
local function free_slot(id, user, recent_capacity)
  counted(K_ACTIVE, 0, redis.call('ZREM', K_ACTIVE, id))
  uncount_usage(user)
  finish(id, recent_capacity)
end

-- The oldest pending execution (smallest arrival sequence): under fifo the earliest of the five
-- level heads, under fair the head of arrivals. Returns id, parsed meta, meta as stored.
local function oldest_pending(policy)
  if policy.fair then
    sync_arrivals()
    while true do
      local head = redis.call('ZRANGE', K_ARRIVALS, '0', '0')[1]
      if not head then return nil end
      local text = read_meta(head)
      if is_record(text) and not is_active(text) then return head, parse_meta(text), text end
      -- Left behind by a call that failed half way (see LEFT_ARRIVALS): not pending any more.
      redis.call('ZREM', K_ARRIVALS, head)
    end
  end
  local best_id, best_meta, best_text
  for rank = 0, LEVELS - 1 do
    local head = redis.call('ZRANGEBYSCORE', K_PENDING, level_min(rank), level_max_exclusive(rank), 'LIMIT', '0', '1')[1]
    if head then
      head = id_of(head)
      local text = read_meta(head)
      local meta = parse_meta(text)
      if not best_meta or tonumber(meta.q) < tonumber(best_meta.q) then best_id, best_meta, best_text = head, meta, text end
    end
  end
  return best_id, best_meta, best_text
end

-- Whether dispatching is held, and the active execution most urgently due before `now` with
-- its score (or nil). Reads the first two members (the held mark sorts first) and remembers the
-- first score: a later look in the same call at a time before it needs no read (members only
-- leave, or come in through add_active, which lowers the remembered score when it must).
local function look_before_dispatching(now)
  local due_below = now * 2
  if ACTIVE_FRONT and ACTIVE_FRONT.score >= due_below then return ACTIVE_FRONT.held, nil, nil end
  local found = redis.call('ZRANGE', K_ACTIVE, '0', '1', 'WITHSCORES')
  local held = found[1] == HELD_MARK
  local id, score = found[1], found[2]
  if held then id, score = found[3], found[4] end
  ACTIVE_FRONT = {held = held, score = id and tonumber(score) or math.huge}
  if id and ACTIVE_FRONT.score < due_below then return held, id, score end
  return held, nil, nil
end

-- Adds or moves an active execution under `score` (see the active set above).
local function add_active(score, id)
  counted(K_ACTIVE, redis.call('ZADD', K_ACTIVE, score, id))
  if ACTIVE_FRONT then ACTIVE_FRONT.score = math.min(ACTIVE_FRONT.score, tonumber(score)) end
end

-- Handles a due active execution: a lease that ran out (the slot is reclaimed) or a dispatch
-- still unconfirmed after the grace period (handed out again under the same saga), unless its
-- lease, counted from the dispatch, has run out too. Returns kind, meta, payload JSON; or nil
-- for an entry without an execution behind it, which would be a bug elsewhere: it is dropped
-- rather than left to stop every scheduling run.
local function repair_step(settings, id, score)
  local meta_json, payload = read(id)
  if not meta_json then
    counted(K_ACTIVE, 0, redis.call('ZREM', K_ACTIVE, id))
    return nil
  end
  local unconfirmed = tonumber(score) % 2 == 1
  local meta = parse_meta(meta_json)
  local lease_deadline = tonumber(meta.d) + settings.lease_ms
  if unconfirmed and lease_deadline >= settings.now then
    add_active(unconfirmed_until(math.min(settings.now + settings.grace_ms, lease_deadline)), id)
    return 'redispatch', meta_json, payload
  end
  free_slot(id, meta.u, settings.recent_capacity)
  return 'lease_expired', meta_json, payload
end

-- Takes the next pending execution and makes it active under `saga`, or drops it as stale.
-- The next one is the admission in hand (settings.in_hand: see admit.lua) when there is one:
-- nothing else was waiting, and it was never written into the queue's indexes.
-- Returns kind, meta, payload JSON; or nil when the queue is empty.
local function dispatch_step(settings, saga)
  local now = settings.now
  local in_hand = settings.in_hand
  local next_id, next_member, next_meta, payload
  if in_hand then
    -- It was all the queue held: a step after it finds the queue empty without asking Redis.
    settings.in_hand, settings.drained = nil, true
    next_id, next_member, next_meta, payload = in_hand.id, in_hand.member, in_hand.meta, in_hand.payload
    -- Its level's virtual time is usually its start tag already (next_tag moved it there).
    if settings.fair and in_hand.key ~= in_hand.virtual then set_fair_clock(VIRTUAL_FIELD[in_hand.level], in_hand.key) end
  elseif settings.drained then
    return nil
  else
    local popped = redis.call('ZPOPMIN', K_PENDING) -- taken out of the queue either way
    next_member = popped[1]
    if not next_member then return nil end
    counted(K_PENDING, 0, 1)
    next_id = id_of(next_member)
    if settings.fair or settings.aging_ms > 0 then
      local level, key = level_and_key(popped[2])
      if settings.fair then
        set_fair_clock(VIRTUAL_FIELD[level], key)
        LEFT_ARRIVALS[#LEFT_ARRIVALS + 1] = next_id
      end
      if settings.aging_ms > 0 and level > HIGHEST_AGED_LEVEL then redis.call('ZREM', K_AGING, next_id) end
    end
    next_meta, payload = read(next_id)
    -- A queue entry without an execution would be a bug elsewhere: skip it, never stall on it.
    if not next_meta then return dispatch_step(settings, saga) end
  end
  local head, enqueued, tail, user = string.match(next_meta, PENDING_PATTERN)
  if not in_hand then redis.call('LREM', user_pending_key(user), '1', next_member) end
  if now - tonumber(enqueued) > settings.stale_ms then
    uncount_usage(user)
    finish(next_id, settings.recent_capacity)
    return 'expired', next_meta, payload
  end
  local meta_json = 'a' .. head .. int(now) .. '|' .. int(next_number('dseq', settings.sagas_per_call)) .. '|' .. saga .. tail
  redis.call('HSET', K_EXEC, next_id, meta_json)
  add_active(unconfirmed_until(now + math.min(settings.grace_ms, settings.lease_ms)), next_id)
  return 'dispatched', meta_json, payload
end

-- Whether an arrival at `level` ends that level's busy period: a slot is free (fewer executions
-- active than the limit, dispatching not held) and nothing waits at the level. `waiting` is the
-- pending count admit read (the held mark is in the active set, so an empty set means not held,
-- and an empty queue has nothing at any level). Held is read with the look the scheduling run
-- after the admission makes anyway (look_before_dispatching at `now`), which then costs it no
-- call of its own.
local function settles_level(policy, level, waiting, now)
  local active = active_count()
  if active >= policy.max_active then return false end
  if active > 0 and look_before_dispatching(now) then return false end
  return waiting == 0 or redis.call('ZCOUNT', K_PENDING, level_min(level), level_max_exclusive(level)) == 0
end

-- A user's weight. Until an operator sets one nobody has a weight of its own, and one look per
-- call at whether the hash exists saves each admission its read.
local function weight_of(policy, user)
  if ANY_WEIGHTS == nil then ANY_WEIGHTS = redis.call('EXISTS', K_WEIGHTS) == 1 end
  return ANY_WEIGHTS and tonumber(redis.call('HGET', K_WEIGHTS, user)) or policy.default_weight
end

-- Fair order: the start tag of `user`'s next turn at `level` and the level's virtual time after
-- it was given, the finish tag recorded. As FairShare.nextTag in fair-share.ts: max(virtual
-- time, last finish), or the virtual time alone for a user with nothing pending or running
-- (`user_idle`); an arrival (`waiting` and `now` given: see settles_level) that finds nothing
-- waiting at its level and a slot free first moves the level's virtual time up to the latest
-- finish tag given there ('m'..level).
local TURN_LENGTH = 27720
local function next_tag(policy, level, user, user_idle, waiting, now)
  local virtual_field, latest_field, user_field = VIRTUAL_FIELD[level], LATEST_FIELD[level], user_clock_field(level, user)
  local virtual, own, latest = FAIR_KNOWN[virtual_field], FAIR_KNOWN[user_field], FAIR_KNOWN[latest_field]
  if virtual == nil or own == nil or latest == nil then
    read_fair_clocks(virtual_field, user_field, latest_field)
    virtual, own, latest = FAIR_KNOWN[virtual_field], FAIR_KNOWN[user_field], FAIR_KNOWN[latest_field]
  end
  virtual, latest = virtual or 0, latest or 0
  local weight = weight_of(policy, user)
  local virtual_before = virtual
  if waiting and latest > virtual and settles_level(policy, level, waiting, now) then
    virtual = latest
  end
  local start = virtual
  if not user_idle then start = math.max(virtual, own or 0) end
  local finish = start + math.floor(TURN_LENGTH / weight)
  -- Only the fields that changed (a hash write costs about a microsecond per field here).
  set_fair_clock(user_field, finish)
  if virtual ~= virtual_before then set_fair_clock(virtual_field, virtual) end
  if finish > latest then set_fair_clock(latest_field, finish) end
  return start, virtual
end

-- The key of a pending execution (meta parsed) at `level`: arrival sequence or next start tag.
local function key_at(policy, level, meta)
  if policy.fair then return (next_tag(policy, level, meta.u, false)) end
  return tonumber(meta.q)
end

-- Registers when a pending execution at `level` next moves up, counting from `from` ms.
local function schedule_aging(policy, id, level, from)
  if policy.aging_ms > 0 and level > HIGHEST_AGED_LEVEL then redis.call('ZADD', K_AGING, int(from + policy.aging_ms), id) end
end

-- Puts a new pending execution (arrival sequence `seq_text`, as a decimal string, and its
-- pending member) into the queue's indexes: pending at `level` under `key`, its user's list,
-- and those only some policies keep.
local function place_pending(policy, id, user, seq_text, member, level, key, now)
  if policy.fair then
    NEW_ARRIVALS[#NEW_ARRIVALS + 1] = seq_text
    NEW_ARRIVALS[#NEW_ARRIVALS + 1] = id
  end
  local reached_threshold = counted(K_PENDING, redis.call('ZADD', K_PENDING, score_of(level, key), member))
  schedule_aging(policy, id, level, now)
  redis.call('RPUSH', user_pending_key(user), member)
  -- The indexes as long as the queue follow it to the skip list (see move_to_skip_list).
  if reached_threshold then
    if policy.fair then ARRIVALS_TO_UNPACK = true end
    if policy.aging_ms > 0 then move_to_skip_list(K_AGING) end
  end
end

-- Lifts every pending execution whose next aging step is due by now one level (at most
-- MAX_PROMOTIONS), earliest due first, ties by id, re-reading the head each time as
-- promoteDue in pending-queue.ts does.
local function promote_due(settings)
  for _ = 1, MAX_PROMOTIONS do
    local due = redis.call('ZRANGEBYSCORE', K_AGING, '-inf', int(settings.now), 'WITHSCORES', 'LIMIT', '0', '1')
    if not due[1] then return end
    local id, at = due[1], tonumber(due[2])
    local meta_text = read_meta(id)
    local member = is_record(meta_text) and member_of_meta(meta_text, id)
    local score = member and redis.call('ZSCORE', K_PENDING, member)
    -- An aging entry that is not pending would be a bug elsewhere: drop it, never stall on it.
    local level = score and level_and_key(score) - 1 or 0
    if score then redis.call('ZADD', K_PENDING, 'XX', score_of(level, key_at(settings, level, parse_meta(meta_text))), member) end
    if level > HIGHEST_AGED_LEVEL then
      redis.call('ZADD', K_AGING, int(at + settings.aging_ms), id)
    else
      redis.call('ZREM', K_AGING, id)
    end
  end
end

-- Scheduling steps until idle, in this order: repairs (see repair_step); then, unless held or
-- at capacity, the next pending execution, dispatched under the next saga id (ARGV[first_saga..])
-- or dropped as stale. Appends to `result` (and returns it): idle reason or '', kind1, meta1,
-- payload1, kind2, ...; '' means it stopped early, because the saga ids or the budget of
-- MAX_REPAIR_STEPS steps that dispatch nothing ran out, and should be run again. Nothing a step
-- does makes a repair due within the same call, so repairs are looked for first, and held and
-- the active count are read once.
-- Admissions and releases append it to their own reply rather than nesting it: Redis converts
-- every table of a reply on its own (six field look-ups and a deferred length, about 2,800
-- instructions each; see docs/benchmarks.md, 2026-12-06).
local MAX_REPAIR_STEPS = 64
local function add_step(result, kind, meta_json, payload)
  result[#result + 1] = kind
  result[#result + 1] = meta_json
  result[#result + 1] = payload
end
local function schedule(settings, first_saga, result)
  local idle_at = #result + 1
  result[idle_at] = ''
  local saga_index, repairs = first_saga, 0
  if saga_index > #ARGV then return result end
  -- The most this run can dispatch; dispatch numbers are taken for as many (see next_number).
  settings.sagas_per_call = #ARGV - first_saga + 1
  if settings.aging_ms > 0 then promote_due(settings) end
  local held, due, score = look_before_dispatching(settings.now)
  while due do
    if repairs >= MAX_REPAIR_STEPS then return result end
    local kind, meta_json, payload = repair_step(settings, due, score)
    if kind then add_step(result, kind, meta_json, payload) end
    repairs = repairs + 1
    held, due, score = look_before_dispatching(settings.now)
  end
  if held then
    result[idle_at] = 'held'
    return result
  end
  local active = active_count() -- the held mark is not there: not held
  while saga_index <= #ARGV and repairs < MAX_REPAIR_STEPS do
    if active >= settings.max_active then
      result[idle_at] = 'at_capacity'
      return result
    end
    local kind, meta_json, payload = dispatch_step(settings, ARGV[saga_index])
    if not kind then
      result[idle_at] = 'empty'
      return result
    end
    add_step(result, kind, meta_json, payload)
    if kind == 'dispatched' then
      saga_index, active = saga_index + 1, active + 1
    else
      repairs = repairs + 1
    end
  end
  return result
end

-- The queue limits arrive as one argument, "max queue size,max per user,stale timeout ms,
-- recent-ids capacity,max active,lease ms,dispatch grace ms,order (0 fifo, 1 fair),aging ms,
-- default weight" (see redis-queue-state.store.ts), instead of ten; each distinct text is
-- parsed once and kept. The table doubles as the policy (fair, aging_ms, default_weight).
local LIMITS_BY_TEXT, LIMITS_KEPT = {}, 0
local function limits_of(text)
  local limits = LIMITS_BY_TEXT[text]
  if limits then return limits end
  local q, u, s, r, a, l, g, o, ag, w = string.match(text, '^(%d+),(%d+),(%d+),(%d+),(%d+),(%d+),(%d+),([01]),(%d+),(%d+)$')
  if not q then error('unreadable queue limits: ' .. tostring(text)) end
  limits = {
    max_queue = tonumber(q), max_per_user = tonumber(u), stale_ms = tonumber(s), recent_capacity = tonumber(r),
    max_active = tonumber(a), lease_ms = tonumber(l), grace_ms = tonumber(g),
    fair = o == '1', aging_ms = tonumber(ag), default_weight = tonumber(w),
  }
  if LIMITS_KEPT >= 16 then LIMITS_BY_TEXT, LIMITS_KEPT = {}, 0 end
  LIMITS_BY_TEXT[text], LIMITS_KEPT = limits, LIMITS_KEPT + 1
  return limits
end

-- What a scheduling run needs: the limits and the time of this call. The calls packed into one
-- share the table (see SETTINGS), each run starting from the limits again.
local function settings_at(limits_text, now)
  local limits = limits_of(limits_text)
  local settings = SETTINGS
  if not settings or settings.limits_text ~= limits_text then
    settings = {
      limits_text = limits_text, max_active = limits.max_active, stale_ms = limits.stale_ms, lease_ms = limits.lease_ms,
      grace_ms = limits.grace_ms, recent_capacity = limits.recent_capacity,
      fair = limits.fair, aging_ms = limits.aging_ms, default_weight = limits.default_weight,
    }
    SETTINGS = settings
  end
  settings.now, settings.in_hand, settings.drained, settings.sagas_per_call = now, nil, nil, nil
  return settings
end

-- Runs `call` once for each call packed into this one (see admit.lua), each with the ARGV it
-- would have had as a call of its own: the shared prefix and limits, then its own arguments.
-- Later ones see what earlier ones changed, exactly as if they had been sent one after another.
-- Each packed call's arguments follow their count in ARGV (see admit.lua).
local function each_call(call)
  local packed, replies = ARGV, {}
  local calls, at = 0, 3
  while at <= #packed do calls, at = calls + 1, at + tonumber(packed[at]) + 1 end
  -- One table for all of them, each call's arguments written over the last one's.
  local args, used = {packed[1], packed[2]}, 2
  at = 3
  for index = 1, calls do
    local count = tonumber(packed[at])
    for offset = 1, count do args[offset + 2] = packed[at + offset] end
    for offset = count + 3, used do args[offset] = nil end
    used, at = count + 2, at + count + 1
    ARGV, CALLS_LEFT = args, calls - index + 1
    replies[index] = call()
  end
  return replies
end
