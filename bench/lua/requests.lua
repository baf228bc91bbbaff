-- wrk script for kepu's benchmark scenarios (bench/run.py writes the request file).
--
--   wrk ... -s bench/lua/requests.lua http://127.0.0.1:PORT/ -- FILE MODE THREADS RUN
--
-- FILE has one request a line: METHOD <TAB> PATH <TAB> BEARER-TOKEN <TAB> BODY (the last two
-- may be empty). MODE:
--   rotate  every thread cycles through all lines, starting at its own offset (reads);
--   unique  the lines are dealt out between the threads, so no two requests share a line
--           (sign-up with one token per person, check-in with one ticket per request);
--   bust    like rotate, with a unique "_b=" parameter appended, so that every request misses
--           the page cache and the page is rendered (RUN, the fourth argument, makes it unique
--           across wrk runs too: a warm-up or an earlier slice must not have cached it).

local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
end

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

local function headers_for(token, body)
   local h = {}
   for k, v in pairs(wrk.headers) do
      h[k] = v
   end
   if token ~= nil and token ~= "" then
      h["Authorization"] = "Bearer " .. token
   end
   if body ~= nil and body ~= "" then
      h["Content-Type"] = "application/json"
   end
   return h
end

function init(args)
   local file, threads = args[1], tonumber(args[3]) or 1
   mode = args[2] or "rotate"
   run = args[4] or "0"
   lines, reqs = {}, {}
   local n = 0
   for line in io.lines(file) do
      if line ~= "" then
         local keep = true
         if mode == "unique" then
            keep = (n % threads) == tid
         end
         n = n + 1
         if keep then
            local f = split(line)
            local item = { method = f[1], path = f[2], token = f[3], body = f[4] }
            table.insert(lines, item)
            if item.body == "" then
               item.body = nil
            end
            table.insert(reqs, wrk.format(item.method, item.path,
               headers_for(item.token, item.body), item.body))
         end
      end
   end
   if #lines == 0 then
      error("no requests for thread " .. tid .. " in " .. file)
   end
   i = 0
   if mode ~= "unique" then
      i = (tid * 7919) % #lines
   end
   seq = 0
end

function request()
   i = i + 1
   if i > #lines then
      i = 1
   end
   if mode == "bust" then
      seq = seq + 1
      local item = lines[i]
      local sep = "?"
      if item.path:find("?", 1, true) then
         sep = "&"
      end
      return wrk.format(item.method, item.path .. sep .. "_b=" .. run .. "-" .. tid .. "-" .. seq,
         headers_for(item.token, item.body), item.body)
   end
   return reqs[i]
end

-- The latency distribution, finer than wrk's four percentiles, so that bench/run.py can join
-- the slices of one scenario into one distribution (run.joined_quantile).
local PERCENTILES = { 10, 25, 50, 75, 90, 95, 97, 98, 99, 99.5, 99.9 }

function done(summary, latency, requests)
   local out = {}
   for _, p in ipairs(PERCENTILES) do
      table.insert(out, string.format("%g:%d", p, latency:percentile(p)))
   end
   table.insert(out, string.format("100:%d", latency.max))
   io.write("latency-percentiles-us " .. table.concat(out, " ") .. "\n")
end
