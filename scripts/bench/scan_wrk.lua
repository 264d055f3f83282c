-- wrk script for scripts/bench/scan: every request is GET <prefix><code> with a code picked at random
-- (per thread, seeded per thread) from a file of household door codes, one per line.
--   wrk -t2 -c64 -d20s -s scan_wrk.lua http://127.0.0.1:PORT -- CODES_FILE PREFIX
-- done() prints one line "WRK_JSON {...}" with counts and latency percentiles in microseconds.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

local codes = {}
local prefix = "/api/v1/h/"
local n = 0

function init(args)
  local file = args[1]
  if args[2] then prefix = args[2] end
  for line in io.lines(file) do
    if #line > 0 then
      n = n + 1
      codes[n] = line
    end
  end
  if n == 0 then error("no codes in " .. tostring(file)) end
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", prefix .. codes[math.random(n)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
