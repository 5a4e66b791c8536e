-- wrk script for the presigner benchmark: POST /api/v1/links with a bearer token and a dump key.
-- Set by bench/run.sh through environment variables.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.body = '{"key":"' .. os.getenv("BENCH_KEY") .. '","ttl":"15m"}'
