-- wrk script for scripts/loadtest.sh.
--
-- Mode "ask": POST /api/ask with `"log": true`, cycling through the answered and gap questions of
-- tests/routing-questions.tsv (each thread starts at a different row). Every gap reference the API
-- acknowledges is appended to $GAP_DIR/acked-<thread>.txt, so the script can check afterwards that
-- each one is in the database. Mode "get": plain GETs of the URL given (for /healthz).
-- Both print one summary line at the end that loadtest.sh parses.

local mode = os.getenv("LOADTEST_MODE") or "get"
local questions_file = os.getenv("QUESTIONS_FILE") or "tests/routing-questions.tsv"
local gap_dir = os.getenv("GAP_DIR") or "."

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local bodies = {}
local next_body = 1
local acked
local acked_count = 0

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"')
  return '"' .. s .. '"'
end

function init(args)
  if mode ~= "ask" then
    return
  end
  for line in io.lines(questions_file) do
    local id, lang, outcome, offers, question = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if outcome == "answered" or outcome == "gap" then
      table.insert(bodies, '{"question":' .. json_string(question) .. ',"channel":"api","log":true}')
    end
  end
  assert(#bodies > 0, "no questions read from " .. questions_file)
  next_body = (tid * 7) % #bodies + 1
  acked = assert(io.open(gap_dir .. "/acked-" .. tid .. ".txt", "a"))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if mode ~= "ask" then
    return wrk.format()
  end
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end

if mode == "ask" then
  function response(status, headers, body)
    if status == 200 then
      local gap = body:match('"gap":(%b{})')
      -- The reference is given out even when the database was away and the gap was spooled.
      local ref = gap and gap:match('"ref":"([^"]+)"')
      if ref then
        acked:write(ref, "\n")
        acked:flush()
        acked_count = acked_count + 1
      end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LOADTEST requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
