-- The keys, what each holds, and the formats of what is stored in them.
--
-- Every call declares the keys of KEY_NAMES (redis-layout.ts), bound to K_PENDING, K_EXEC, ...
-- (see call-state.lua), so Redis knows each key a call touches and a Cluster routes it.
-- The per-user lists cannot be known before a call (a dispatch finds its user inside), so they
-- are named from the prefix in ARGV[1], as the store's prefix names the declared ones. On a
-- Cluster the prefix carries a hash tag ('{execution-queue}:'), so every key is in one slot.
--   pending    ZSET   member: arrival sequence as 12 hex digits, then the execution id (see
--                     member_of); score: level * LEVEL_SPAN + key, where level is the level the
--                     execution waits in (its priority rank, or higher once aged) and key its
--                     arrival sequence (fifo) or start tag (fair). Equal scores go by member,
--                     so by arrival.
--   exec       HASH   execution id -> while pending or active, its meta (see below);
--                     afterwards, while remembered, a tombstone: 'f' (finished) or
--                     'x:queue_full' | 'x:user_limit' (refused).
--                     'r:'..execution id -> the original execution_requested JSON while pending
--                     or active; emptied when it finishes, deleted with its tombstone.
--   active     ZSET   active executions, each scored by when a scheduling run must look at it
--                     again: 2 * ms + 1 while its dispatch is unconfirmed (ms = end of the grace
--                     period, or the lease deadline if that comes first), 2 * ms once confirmed
--                     (ms = lease deadline: dispatch or last sign of life + lease); plus the
--                     held mark at -inf while dispatching is held. One read finds what is due
--                     and whether dispatching is held.
--   usage      HASH   user -> pending + active executions (the per-user limit's count).
--   recent     LIST   finished or refused ids, oldest first, at most the recent-ids capacity.
--   counters   HASH   seq (arrivals), dseq (dispatches; the active page's order), order
--                     ('fifo' | 'fair', recorded by order-check.lua), layout ('2': pending
--                     members start with the arrival sequence).
--   fair       HASH   fair order's clocks (see fair-clocks.lua); deleted when an admission finds
--                     nothing pending, active or held.
--   weights    HASH   user -> weight set by an operator (absent: the default weight).
--   arrivals   ZSET   fair order only: pending ids by arrival sequence (the stale sweep and the
--                     oldest-waiting figure need arrival order, which pending is not then).
--   aging      ZSET   with aging on: pending ids below HIGHEST_AGED_LEVEL by when they next
--                     move up a level.
--   PREFIX..'user-pending:'..user   LIST   the user's pending members in arrival order (a list
--                     is cheaper to append to and take from than a sorted set, and the taken
--                     member sits near its head).
--
-- Cost model (the figures are in docs/benchmarks.md, "Redis store"): Redis runs one call at a
-- time on its single thread; every redis.call costs about the same whether it reads or writes,
-- every write costs again when Redis logs it (append-only file, replicas), and every Lua table
-- a call makes or returns costs an allocation and a collection. So the layout needs few calls
-- and few written elements on the hot path (admit, dispatch, release). The request JSON is read
-- into Lua only where it is returned: Lua interns every string it makes, and near-identical
-- long strings share hash chains.

local HELD_MARK = 'h:'
local LEVEL_SPAN = 281474976710656 -- 2^48: one band of pending scores per level

-- Numbers go to redis.call as strings made here: Redis would format a Lua number with "%.17g"
-- (slow, and Lua's own conversion keeps only 14 digits); %d goes through a C integer. Constant
-- numeric arguments are written as string literals for the same reason.
local function int(n) return string.format('%d', n) end

-- Pending scores.
local function level_min(rank) return int(rank * LEVEL_SPAN) end
local function level_max_exclusive(rank) return '(' .. int((rank + 1) * LEVEL_SPAN) end
local function score_of(rank, key) return int(rank * LEVEL_SPAN + key) end
-- The level and the key within it of a pending score.
local function level_and_key(score)
  local value = tonumber(score)
  local level = math.floor(value / LEVEL_SPAN)
  return level, value - level * LEVEL_SPAN
end

-- Active scores.
local function unconfirmed_until(ms) return int(ms * 2 + 1) end
local function lease_until(ms) return int(ms * 2) end
local function is_unconfirmed(score) return tonumber(score) % 2 == 1 end

-- Pending members: the arrival sequence in fixed-width hex, then the id.
local function member_of(seq, id) return string.format('%012x%s', seq, id) end
local function id_of(member) return string.sub(member, 13) end
local function user_pending_key(user) return PREFIX .. 'user-pending:' .. user end

-- An execution's meta is one string, 's|p|e|q|d|o|g|i|u': state ('p' pending, 'a' active),
-- priority rank, enqueued ms, arrival sequence, dispatched ms, dispatch sequence, saga id,
-- execution id, user id (last, as the only field that may hold '|'). The dispatch fields are
-- empty while pending. Cheaper to make and read here than JSON; redis-meta.ts reads it in
-- TypeScript. Parsed fields stay strings: compare numbers with tonumber.
local function parse_meta(text)
  local s, p, e, q, d, o, g, i, u = string.match(text, '^([pa])|(%d*)|(%d*)|(%d*)|(%d*)|(%d*)|([^|]*)|([^|]*)|(.*)$')
  return {s = s, p = p, e = e, q = q, d = d, o = o, g = g, i = i, u = u}
end
local function encode_meta(m)
  return m.s .. '|' .. m.p .. '|' .. m.e .. '|' .. m.q .. '|' .. m.d .. '|' .. m.o .. '|' .. m.g .. '|' .. m.i .. '|' .. m.u
end
-- The hot paths make and read metas without building a table: a new pending meta (all
-- arguments strings); a pending meta split, in one match, into its enqueued ms, its user and the
-- two pieces around its (empty) dispatch fields; and the active meta joined from those pieces
-- and the dispatch fields (see dispatch_step).
local function pending_meta(rank, enqueued, seq, id, user)
  return 'p|' .. rank .. '|' .. enqueued .. '|' .. seq .. '||||' .. id .. '|' .. user
end
local function split_pending_meta(text)
  local head, enqueued, tail, user = string.match(text, '^p(|%d*|(%d*)|%d*|)||(|[^|]*|(.*))$')
  return enqueued, user, head, tail
end
local function join_active_meta(head, dispatched, dseq, saga, tail)
  return 'a' .. head .. int(dispatched) .. '|' .. int(dseq) .. '|' .. saga .. tail
end
local function meta_user(text) return string.match(text, '^[pa]|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|(.*)$') end
-- The member of a pending execution from its meta (the sequence is its fourth field).
local function member_of_meta(text, id) return member_of(tonumber(string.match(text, '^[pa]|[^|]*|[^|]*|(%d*)|')), id) end
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
-- Just the meta (or tombstone).
local function read_meta(id)
  return redis.call('HGET', K_EXEC, id)
end

-- The next number of the counter `field` (arrivals 'seq', dispatches 'dseq'). A packed call
-- takes a block with one increment, `per_call` numbers for each packed call still to run, and
-- hands them out in order. The numbers only order executions, so unused ones leave harmless
-- gaps; and a block is taken before any of it is used, so no number is handed out twice even
-- when a call fails half way.
local function next_number(field, per_call)
  local call = CALL
  local number = call.next_taken[field]
  if not number or number > call.last_taken[field] then
    local wanted = per_call * call.calls_left
    local last = redis.call('HINCRBY', K_COUNTERS, field, int(wanted))
    number, call.last_taken[field] = last - wanted + 1, last
  end
  call.next_taken[field] = number + 1
  return number
end
