-- wrk script: PUT a Buildium resident update (accepted, stored durably, 202) as customer bench.
wrk.method = "PUT"
wrk.path = "/v1/residents/1001"
wrk.headers["Authorization"] = "Bearer key-bench"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","email_1":"ann@example.com"}'

-- Counts answers other than 202, so a run that was refused cannot pass for throughput.
local not_accepted = 0
response = function(status, headers, body)
  if status ~= 202 then not_accepted = not_accepted + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("not_accepted %d\n", summary.errors.status))
end
