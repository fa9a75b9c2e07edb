-- DescribeImageSigningStatus of the images run.sh pushed first: REPOS repositories
-- bench/svc-0 .. bench/svc-<REPOS-1>, each holding PER images whose manifests are those of
-- seed.go (config digest sha256:<repo index as 32 hex><image index as 32 hex>). Every request
-- names a digest; the requests for all images are formatted once per thread, so that wrk
-- spends its CPU on sending them, not on building them.
--
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/describe.lua http://127.0.0.1:8645/ -- 64 16 /tmp/digests.lua

-- run.sh writes the digests (seed.go) to a file and passes it as the third argument.
function init(args)
  dofile(args[3] or "digests.lua")
  local repos = tonumber(args[1] or "64")
  local per = tonumber(args[2] or "16")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.DescribeImageSigningStatus"
  requests = {}
  for r = 0, repos - 1 do
    for i = 0, per - 1 do
      local body = string.format('{"repositoryName":"bench/svc-%d","imageId":{"imageDigest":"%s"}}', r, digests[r * per + i + 1])
      table.insert(requests, wrk.format(nil, "/", nil, body))
    end
  end
  n = 0
end

function request()
  n = n + 1
  return requests[n % #requests + 1]
end
