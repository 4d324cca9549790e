-- schedule: a scheduling run (see library/scheduling.lua). Each step, in this order: reclaims
-- one expired lease; hands out again one dispatch left unconfirmed past the grace period; or,
-- unless held or at capacity, takes the next pending execution and either drops it as stale or
-- makes it active under the next saga id.
-- ARGV: 1 prefix, 2 limits (see library/limits.lua), 3 now ms, 4.. saga ids (one per dispatch)
-- Returns (decoded by schedule.reply.ts): {idle reason ('held' | 'at_capacity' | 'empty') or ''
--   if it stopped early, kind1, meta1, request1, ...} with kind 'dispatched' | 'redispatch' |
--   'expired' | 'lease_expired'
start_run(tonumber(ARGV[3]))
return schedule(limits_of(ARGV[2]), 4, {})
