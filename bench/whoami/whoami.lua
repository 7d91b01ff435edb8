-- wrk script for bench/whoami: every request is GET <url> with the
-- X-Session-Token of a random session from the token file named after
-- "--" on wrk's command line (one token a line). The requests are built
-- once per thread so that wrk spends its time on the sockets. done()
-- prints one machine-readable line the benchmark parses.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local requests = {}

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  for tok in io.lines(args[1]) do
    if tok ~= "" then
      requests[#requests + 1] = wrk.format("GET", nil, { ["X-Session-Token"] = tok })
    end
  end
  if #requests == 0 then
    error("no tokens in " .. args[1])
  end
end

function request()
  return requests[math.random(#requests)]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WHOAMI-RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
