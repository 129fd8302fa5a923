-- wrk script: POST /v1/lookup with the batch of 1,000 pseudonyms in $BODY,
-- as the partner whose key is in $KEY; counts answers that are not 200.
wrk.method = "POST"
wrk.path = "/v1/lookup"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
local f = assert(io.open(os.getenv("BODY"), "r"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  io.write(string.format("non200=%d\n", summary.errors.status))
end
