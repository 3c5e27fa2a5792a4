/**
 * The Lua scripts of the Redis store (redis.ts): every step that reads and then writes runs as
 * one script, so that it is atomic across the bridges sharing the server. Each names its KEYS
 * and ARGV; times are milliseconds on the bridges' clock.
 */

export const INCREMENT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

// KEYS: the entry. ARGV: '1' when an entry is expected ('0': none), expected, value, ttl or ''
export const REPLACE = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur ~= false then
  return 0
end
if ARGV[4] == '' then redis.call('SET', KEYS[1], ARGV[3])
else redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) end
return 1`;

// KEYS: the groups. ARGV: now, until, ttl, member, replacing or '', then each group's cap or ''
export const ENTER = `
local member, replacing = ARGV[4], ARGV[5]
for i, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', ARGV[1])
  local cap = ARGV[5 + i]
  if cap ~= '' and not redis.call('ZSCORE', k, member) then
    local n = redis.call('ZCARD', k)
    if replacing ~= '' and redis.call('ZSCORE', k, replacing) then n = n - 1 end
    if n >= tonumber(cap) then return i - 1 end
  end
end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, ARGV[2], member)
  if redis.call('PTTL', k) < tonumber(ARGV[3]) then redis.call('PEXPIRE', k, ARGV[3]) end
end
return -1`;

/** True when the hash at `k` is held by a lease that has not run out at `now`. */
const HELD = `
local function held(k, now)
  local lu = redis.call('HGET', k, 'leasedUntil')
  return lu ~= false and lu ~= '' and tonumber(lu) > tonumber(now)
end
local function holds(k, token, now)
  return held(k, now) and redis.call('HGET', k, 'token') == token
end
`;

// KEYS: job, zset, group set. ARGV: member, group, payload, dueAt, now
export const SCHEDULE = `${HELD}
if held(KEYS[1], ARGV[5]) then return 0 end
local old = redis.call('HGET', KEYS[1], 'groupKey')
if old and old ~= KEYS[3] then redis.call('SREM', old, ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'group', ARGV[2], 'groupKey', KEYS[3], 'payload', ARGV[3],
  'dueAt', ARGV[4], 'attempts', 0, 'token', '', 'leasedUntil', '')
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

// KEYS: zset. ARGV: now, leaseUntil, limit, job key prefix, token prefix
export const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i, id in ipairs(ids) do
  local k = ARGV[4] .. id
  if redis.call('EXISTS', k) == 1 then
    local token = ARGV[5] .. i
    redis.call('HSET', k, 'token', token, 'leasedUntil', ARGV[2])
    local attempts = redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    local f = redis.call('HMGET', k, 'group', 'payload', 'dueAt')
    table.insert(out, {id, token, f[1], f[2], f[3], attempts})
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;

// KEYS: job, zset. ARGV: now, leaseUntil, token, member
export const CLAIM_ONE = `${HELD}
if redis.call('EXISTS', KEYS[1]) == 0 or held(KEYS[1], ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'token', ARGV[3], 'leasedUntil', ARGV[2])
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'group', 'payload', 'dueAt')
return {f[1], f[2], f[3], attempts}`;

// KEYS: job, zset. ARGV: now, token, member, leaseUntil
export const RENEW = `${HELD}
if not holds(KEYS[1], ARGV[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'leasedUntil', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
return 1`;

// KEYS: job, zset. ARGV: now, token (or '' for "nobody holds it"), member
export const REMOVE = `${HELD}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if ARGV[2] == '' then
  if held(KEYS[1], ARGV[1]) then return 'claimed' end
elseif not holds(KEYS[1], ARGV[2], ARGV[1]) then
  return 'claimed'
end
local g = redis.call('HGET', KEYS[1], 'groupKey')
if g then redis.call('SREM', g, ARGV[3]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 'cancelled'`;

// KEYS: job, zset. ARGV: now, token, member, dueAt ('' = unchanged)
export const RELEASE = `${HELD}
if not holds(KEYS[1], ARGV[2], ARGV[1]) then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'dueAt', ARGV[4]) end
redis.call('HSET', KEYS[1], 'token', '', 'leasedUntil', '')
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'dueAt'), ARGV[3])
return 1`;
