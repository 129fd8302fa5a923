-- wrk script: GET /v1/check for each IBAN given after --, in turn.
--   wrk ... -s bench/check.lua URL -- IBAN...
local requests, n = {}, 0

init = function(args)
  for i, v in ipairs(args) do
    requests[i] = wrk.format("GET", "/v1/check?kind=iban&value=" .. v)
  end
  if #requests == 0 then
    error("check.lua: no IBANs given after --")
  end
end

request = function()
  n = n % #requests + 1
  return requests[n]
end
