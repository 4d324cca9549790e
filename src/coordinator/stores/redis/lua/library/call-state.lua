-- What one call of a library function knows: its arguments, its keys, and what it learns and
-- defers while it runs. Every registered function runs `bind` before its body and `write_back`
-- (write-back.lua) after it (see redis-scripts.ts); `bind` is the one place any of this is
-- reset, as other calls may have changed everything since the last one.

-- This call's arguments; ARGV[1] is always the key prefix, which names the per-user keys.
local ARGV, PREFIX
-- The keys every call declares are the locals K_PENDING, K_EXEC, ... of the generated prelude,
-- bound by bind_keys in the order of KEY_NAMES (redis-layout.ts).
-- The per-call state. Its tables are kept between calls and made anew only when the last call
-- left something in them: each new table costs Redis an allocation and later a collection.
local CALL = {
  -- The sizes of the pending and active sets (the held mark counts as a member) as this call
  -- last knew them; nil until read. Writes that add or remove members adjust them (see counted
  -- in encodings.lua), so calls packed into one read each size once.
  pending_count = nil,
  active_count = nil,
  -- What this call last learnt of the active set's front (see look_before_dispatching):
  -- {held, score no member but the held mark is below}, nil when unknown.
  active_front = nil,
  -- Counter numbers taken in a block and not handed out yet (see next_number): field -> next
  -- number, field -> last number of the block.
  next_taken = {},
  last_taken = {},
  -- How many packed calls remain, counting the one running (see each_call).
  calls_left = 1,
  -- Fair order's clock fields as this call read or set them (field -> number, false when
  -- absent), and the ones it set: written once when the call ends (see write-back.lua).
  fair_known = {},
  fair_set = {},
  -- Ids put into (sequence, id pairs) and taken out of the queue under fair order, for the
  -- arrivals index: written once when the call ends or before the index is read (sync_arrivals).
  new_arrivals = {},
  left_arrivals = {},
  -- Set when the pending set moved to the skip list under fair order: the arrivals index
  -- follows it when its additions are written.
  arrivals_to_unpack = false,
  -- Ids this call remembered, for the recent list (see remember), and that list's capacity.
  recent_to_add = {},
  recent_capacity = nil,
  -- Whether this call has looked at the usage hash's encoding (see usage_field_added).
  usage_looked = false,
  -- Whether any user has a weight of its own; nil until this call needs to know (weight_of).
  any_weights = nil,
  -- The scheduling run in progress (see start_run): its time, the admission handed to it
  -- without being queued (see admit-one.lua), whether the queue is known empty, and how many
  -- dispatches it may make.
  now = nil,
  in_hand = nil,
  drained = nil,
  sagas_per_call = nil,
}

local function bind(keys, args)
  ARGV, PREFIX = args, args[1]
  bind_keys(keys)
  local call = CALL
  call.pending_count, call.active_count, call.active_front = nil, nil, nil
  call.next_taken.seq, call.next_taken.dseq, call.last_taken.seq, call.last_taken.dseq = nil, nil, nil, nil
  call.calls_left = 1
  if next(call.fair_known) ~= nil then call.fair_known = {} end
  if next(call.fair_set) ~= nil then call.fair_set = {} end
  if #call.new_arrivals > 0 then call.new_arrivals = {} end
  if #call.left_arrivals > 0 then call.left_arrivals = {} end
  if #call.recent_to_add > 0 then call.recent_to_add = {} end
  call.arrivals_to_unpack, call.usage_looked, call.any_weights = false, false, nil
  call.now, call.in_hand, call.drained, call.sagas_per_call = nil, nil, nil, nil
end

-- Starts a scheduling run at `now` (each packed call's run starts over).
local function start_run(now)
  local call = CALL
  call.now, call.in_hand, call.drained, call.sagas_per_call = now, nil, nil, nil
end

-- Runs `single` once for each call packed into this one (admit.lua, release.lua), each with the
-- ARGV it would have had as a call of its own: the shared prefix and limits, then its own
-- arguments, which follow their count in the packed ARGV. Later ones see what earlier ones
-- changed, exactly as if they had been sent one after another.
local function each_call(single)
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
    ARGV, CALL.calls_left = args, calls - index + 1
    replies[index] = single()
  end
  return replies
end
