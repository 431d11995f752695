-- wrk script: mints client-credentials tokens and writes each access token to a file, one per
-- line (`<file>.<thread id>`); each thread stops after its share of `count` and creates
-- `<file>.<thread id>.done` (the caller interrupts wrk once every thread is done).
--   wrk -t2 -c16 -d600s -s bench/mint.lua URL -- <count per thread> <file>
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=22222222-0000-4000-8000-000000000001" ..
           "&client_secret=bench-secret-0123456789abcdef&scope=api%3A%2F%2Ffraud-detector%2F.default"

local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local limit, written, out, marker = 0, 0, nil, nil
function init(args)
  limit = tonumber(args[1])
  out = assert(io.open(args[2] .. "." .. id, "w"))
  marker = args[2] .. "." .. id .. ".done"
end

function response(status, headers, body)
  if status ~= 200 or written >= limit then return end
  local token = body:match('"access_token":"([^"]+)"')
  if token then
    out:write(token, "\n")
    written = written + 1
    if written >= limit then
      out:close()
      assert(io.open(marker, "w")):close()
      wrk.thread:stop()
    end
  end
end
