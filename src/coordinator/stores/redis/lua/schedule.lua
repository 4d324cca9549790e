-- schedule: scheduling steps until idle. Each step, in this order: reclaims one expired lease;
-- hands out again one dispatch left unconfirmed past the grace period; or, unless held or at
-- capacity, takes the next pending execution (priority, then arrival) and either drops it as
-- stale or makes it active under the next saga id.
-- ARGV: 1 prefix, 2 limits (see limits_of), 3 now ms, 4.. saga ids (one per dispatch)
-- Returns: {idle reason ('held' | 'at_capacity' | 'empty') or '' if it stopped early,
--           kind1, meta1, payload1, ...} with kind 'dispatched' | 'redispatch' | 'expired' | 'lease_expired'
return schedule(settings_at(ARGV[2], tonumber(ARGV[3])), 4, {})
