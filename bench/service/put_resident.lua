-- wrk script: PUT a Buildium resident update (accepted, stored durably, 202) as customer bench.
-- No response() callback: with one, wrk hands every response's headers and body to Lua, which
-- costs the load generator more than some requests cost the service, on the cores they share.
-- Refused writes show in wrk's own "Non-2xx or 3xx responses" count, which load.sh checks (the
-- endpoint answers 202 or an error, never another 2xx).
wrk.method = "PUT"
-- The path is the URL's: load.sh gives the record's gatehouse id, known only once the service runs.
wrk.headers["Authorization"] = "Bearer key-bench-3f7a9c2e5d1b8046"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","email_1":"ann@example.com"}'
