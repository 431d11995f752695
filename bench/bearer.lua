-- wrk script: GET <path> with `Authorization: Bearer <token>`, tokens read from a file.
--   wrk ... -s bench/bearer.lua URL -- <token file> once|repeat
-- `once`: every token is sent exactly once (no verified-token cache hits), then the thread
-- stops and creates `<token file>.done` (wrk runs for its whole -d, so the caller interrupts it
-- with SIGINT when that file appears; wrk then reports as usual);
-- `repeat`: the first token on every request. Every server in one comparison gets the same
-- script, so the load generator does the same work for each.
local tokens, mode, i, marker = {}, "repeat", 0, nil
local path = "/"

function init(args)
  for line in assert(io.open(args[1])):lines() do
    tokens[#tokens + 1] = "Bearer " .. line
  end
  mode = args[2] or "repeat"
  marker = args[1] .. ".done"
  path = wrk.path
end

function request()
  if mode == "once" then
    i = i + 1
    if i == #tokens then
      assert(io.open(marker, "w")):close()
      wrk.thread:stop()
    end
    if i > #tokens then i = #tokens end
  else
    i = 1
  end
  return wrk.format("GET", path, { Authorization = tokens[i] })
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d requests_per_sec=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
