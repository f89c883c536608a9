"""The handoff state machine as Lua scripts, so that every transition is atomic.

Fifty consoles may claim the same conversation at the same instant; Redis runs one
script at a time, so exactly one sees ``queued`` and wins. The scripts reach keys
built from a sender id (queues hold ids), which is fine on one Redis or Sentinel,
not on Redis Cluster.

Score in a queue: ``urgency * 1e13 + enqueued_ms``, written as the urgency digit
followed by 13 digits of milliseconds (Lua prints big numbers with too few digits,
so scores are built as strings). A lease that expires puts the conversation at
the head of its urgency level: ``urgency`` followed by thirteen zeros.
"""
from __future__ import annotations

# ARGV layout shared by all scripts: [1]=root ("fristad:handoff:"), [2]=conv prefix, [3]=state suffix
COMMON = r"""
local ROOT, CPRE, CSUF = ARGV[1], ARGV[2], ARGV[3]
local function hkey(sid) return CPRE .. sid .. CSUF end
local function unqueue(sid, h)
  local team = redis.call('HGET', h, 'team') or ''
  local lang = redis.call('HGET', h, 'language') or ''
  redis.call('ZREM', ROOT .. 'queue:' .. team, sid)
  redis.call('ZREM', ROOT .. 'queue:' .. team .. ':' .. lang, sid)
  local direct = redis.call('HGET', h, 'direct')
  if direct and direct ~= '' then redis.call('ZREM', ROOT .. 'direct:' .. direct, sid) end
end
local function queue(sid, h, score)
  local team = redis.call('HGET', h, 'team')
  local lang = redis.call('HGET', h, 'language')
  redis.call('ZADD', ROOT .. 'queue:' .. team, score, sid)
  redis.call('ZADD', ROOT .. 'queue:' .. team .. ':' .. lang, score, sid)
end
local function unhold(sid, h)
  local c = redis.call('HGET', h, 'counsellor')
  if c and c ~= '' then redis.call('SREM', ROOT .. 'held:' .. c, sid) end
  redis.call('ZREM', ROOT .. 'leases', sid)
  redis.call('HDEL', h, 'counsellor', 'alias', 'lease_until')
end
local function waiting(state) return state == 'queued' or state == 'transferred' end
local function claim(sid, h, who, alias, lease_until)
  unqueue(sid, h)
  redis.call('HDEL', h, 'direct')
  redis.call('HSET', h, 'state', 'assigned', 'counsellor', who, 'alias', alias,
             'lease_until', lease_until, 'unread', '0')
  redis.call('ZADD', ROOT .. 'leases', lease_until, sid)
  redis.call('SADD', ROOT .. 'held:' .. who, sid)
  redis.call('XADD', ROOT .. 'events', 'MAXLEN', '~', '10000', '*', 'type', 'claimed', 'conversation', sid, 'counsellor', who)
end
local function holds(h, who)
  return redis.call('HGET', h, 'state') == 'assigned' and redis.call('HGET', h, 'counsellor') == who
end
"""

# ARGV[4..]: sid, team, language, urgency, topic, channel, enqueued_ms, enq13, ttl
ENQUEUE = COMMON + r"""
local sid, team, lang, urgency = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local h = hkey(sid)
local state = redis.call('HGET', h, 'state')
if state == 'assigned' then return {'assigned', 0} end
if waiting(state) then
  local old = tonumber(redis.call('HGET', h, 'urgency'))
  if tonumber(urgency) < old then
    local score = urgency .. redis.call('HGET', h, 'enq13')
    unqueue(sid, h)
    redis.call('HSET', h, 'urgency', urgency, 'score', score)
    local direct = redis.call('HGET', h, 'direct')
    if direct and direct ~= '' then redis.call('ZADD', ROOT .. 'direct:' .. direct, score, sid)
    else queue(sid, h, score) end
  end
else
  local score = urgency .. ARGV[11]
  redis.call('HSET', h, 'state', 'queued', 'team', team, 'language', lang, 'urgency', urgency,
             'topic', ARGV[8], 'channel', ARGV[9], 'enqueued_ms', ARGV[10], 'enq13', ARGV[11],
             'score', score, 'unread', '0')
  redis.call('HDEL', h, 'direct', 'counsellor', 'alias', 'lease_until')
  queue(sid, h, score)
end
redis.call('EXPIRE', h, ARGV[12])
local direct = redis.call('HGET', h, 'direct')
local qkey = ROOT .. 'queue:' .. redis.call('HGET', h, 'team')
if direct and direct ~= '' then qkey = ROOT .. 'direct:' .. direct end
-- ZRANK, not a count of lower scores: two requests in the same millisecond tie on
-- score, and the queue (ZRANGE) orders ties by member, so the place must too.
return {'waiting', redis.call('ZRANK', qkey, sid) + 1}
"""

# ARGV[4..]: sid, counsellor, alias, lease_until, team1, team2, ...
CLAIM = COMMON + r"""
local sid, who, alias, lease_until = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local h = hkey(sid)
local state = redis.call('HGET', h, 'state')
if not waiting(state) then
  if state == 'assigned' and redis.call('HGET', h, 'counsellor') == who then return 'already_yours' end
  return 'not_waiting'
end
local direct = redis.call('HGET', h, 'direct')
if direct and direct ~= '' then
  if direct ~= who then return 'not_your_team' end
else
  local team, ok = redis.call('HGET', h, 'team'), false
  for i = 8, #ARGV do if ARGV[i] == team then ok = true end end
  if not ok then return 'not_your_team' end
end
claim(sid, h, who, alias, lease_until)
return 'ok'
"""

# ARGV[4..]: counsellor, alias, lease_until, n_teams, teams..., languages...
CLAIM_NEXT = COMMON + r"""
local who, alias, lease_until, nteams = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local teams, langs = {}, {}
for i = 8, 7 + nteams do teams[#teams + 1] = ARGV[i] end
for i = 8 + nteams, #ARGV do langs[#langs + 1] = ARGV[i] end
local function head(key)
  local r = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #r == 0 then return nil end
  return {r[1], tonumber(r[2]), key}
end
local function better(a, b) if b == nil then return a end if a == nil then return b end
  if b[2] < a[2] then return b end return a end
for attempt = 1, 20 do
  local pick = head(ROOT .. 'direct:' .. who)
  if pick == nil then
    local best, match = nil, nil
    for _, team in ipairs(teams) do
      best = better(best, head(ROOT .. 'queue:' .. team))
      for _, lang in ipairs(langs) do match = better(match, head(ROOT .. 'queue:' .. team .. ':' .. lang)) end
    end
    pick = best
    -- a language the counsellor speaks wins, but never over a more urgent conversation
    if match and best and math.floor(match[2] / 1e13) == math.floor(best[2] / 1e13) then pick = match end
  end
  if pick == nil then return '' end
  local sid = pick[1]
  local h = hkey(sid)
  if waiting(redis.call('HGET', h, 'state')) then
    claim(sid, h, who, alias, lease_until)
    return sid
  end
  -- stale entry (expired or erased conversation): drop it and look again
  redis.call('ZREM', pick[3], sid)
  for _, team in ipairs(teams) do
    redis.call('ZREM', ROOT .. 'queue:' .. team, sid)
    for _, lang in ipairs(langs) do redis.call('ZREM', ROOT .. 'queue:' .. team .. ':' .. lang, sid) end
  end
end
return ''
"""

# ARGV[4..]: now_ms, limit. Returns the ids put back at the head of their queue.
SWEEP = COMMON + r"""
local due = redis.call('ZRANGEBYSCORE', ROOT .. 'leases', '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
local back = {}
for _, sid in ipairs(due) do
  local h = hkey(sid)
  local lease = tonumber(redis.call('HGET', h, 'lease_until') or '0')
  if redis.call('HGET', h, 'state') == 'assigned' and lease <= tonumber(ARGV[4]) then
    redis.call('HSET', h, 'previous_counsellor', redis.call('HGET', h, 'counsellor') or '')
    unhold(sid, h)
    redis.call('HSET', h, 'state', 'queued')
    queue(sid, h, redis.call('HGET', h, 'urgency') .. '0000000000000')
    back[#back + 1] = sid
  else
    redis.call('ZREM', ROOT .. 'leases', sid)
  end
end
return back
"""

# ARGV[4..]: counsellor, lease_until. Renews every lease the counsellor holds.
HEARTBEAT = COMMON + r"""
local who, lease_until = ARGV[4], ARGV[5]
local n = 0
for _, sid in ipairs(redis.call('SMEMBERS', ROOT .. 'held:' .. who)) do
  local h = hkey(sid)
  if holds(h, who) then
    redis.call('HSET', h, 'lease_until', lease_until)
    redis.call('ZADD', ROOT .. 'leases', lease_until, sid)
    n = n + 1
  else
    redis.call('SREM', ROOT .. 'held:' .. who, sid)
  end
end
return n
"""

# ARGV[4..]: sid, counsellor, kind (team|counsellor|release), target
HAND_ON = COMMON + r"""
local sid, who, kind, target = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local h = hkey(sid)
if not holds(h, who) then return 'forbidden' end
unhold(sid, h)
redis.call('HSET', h, 'previous_counsellor', who)
local score = redis.call('HGET', h, 'score')
if kind == 'release' then
  redis.call('HSET', h, 'state', 'queued')
  queue(sid, h, score)
elseif kind == 'team' then
  redis.call('HSET', h, 'state', 'transferred', 'team', target)
  queue(sid, h, score)
else
  redis.call('HSET', h, 'state', 'transferred', 'direct', target)
  redis.call('ZADD', ROOT .. 'direct:' .. target, score, sid)
end
return 'ok'
"""

# ARGV[4..]: sid, counsellor, outcome (bot|closed)
RESOLVE = COMMON + r"""
local sid, who, outcome = ARGV[4], ARGV[5], ARGV[6]
local h = hkey(sid)
if not holds(h, who) then return 'forbidden' end
redis.call('HSET', h, 'previous_counsellor', who)
unhold(sid, h)
redis.call('HSET', h, 'state', outcome)
return 'ok'
"""

# ARGV[4..]: sid
CANCEL = COMMON + r"""
local sid = ARGV[4]
local h = hkey(sid)
if not waiting(redis.call('HGET', h, 'state')) then return 0 end
unqueue(sid, h)
redis.call('HDEL', h, 'direct')
redis.call('HSET', h, 'state', 'bot')
return 1
"""

# KEYS: state hash, seen marker, relay stream, event stream.
# ARGV: text, channel, ts, seen_ttl, retention, relay_maxlen, events_maxlen, sid, has_message_id
# One round trip, all or nothing: a message is in the relay history and announced to
# consoles exactly once, even if the bot process dies halfway. 0 not relayed, 1 duplicate, 2 relayed.
RELAY = r"""
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' and state ~= 'transferred' and state ~= 'assigned' then return 0 end
if ARGV[9] == '1' and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then return 1 end
local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'from', 'person', 'text', ARGV[1], 'ts', ARGV[3], 'channel', ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[5])
if state == 'assigned' then redis.call('HINCRBY', KEYS[1], 'unread', 1) end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', 'type', 'message', 'conversation', ARGV[8], 'entry', id)
return 2
"""
