-- PutImage with a new manifest and a new tag on every request, spread over REPOS
-- repositories bench/svc-0 .. bench/svc-<REPOS-1> (default 64; 1 pushes everything to
-- bench/svc-0). The repositories are created by their first push (world.json sets
-- createRepositoryOnPush). wrk runs one Lua state per thread and asks it for a request
-- whenever one of the thread's connections is free, so a thread cycles through its share of
-- the repositories: thread i of THREADS (default 2) takes i, i+THREADS, i+2*THREADS, ...
--
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/putimage.lua http://127.0.0.1:8645/ -- 64 2
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/putimage.lua http://127.0.0.1:8645/ -- 1

local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  repos = tonumber(args[1] or "64")
  threads = tonumber(args[2] or "2")
  n = 0
  -- a run-unique prefix so that a second run against the same state pushes new manifests
  run = string.format("%08x", (os.time() * 1000 + id) % 0xffffffff)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.PutImage"
end

function request()
  n = n + 1
  local repo = string.format("bench/svc-%d", (n * threads + id - 1) % repos)
  local digest = string.format("%s%08x%048x", run, id, n)
  local manifest = '{\\"schemaVersion\\":2,\\"mediaType\\":\\"application/vnd.oci.image.manifest.v1+json\\",' ..
    '\\"config\\":{\\"mediaType\\":\\"application/vnd.oci.image.config.v1+json\\",\\"digest\\":\\"sha256:' .. digest ..
    '\\",\\"size\\":2},\\"layers\\":[]}'
  local body = '{"repositoryName":"' .. repo .. '","imageTag":"t' .. run .. '-' .. id .. '-' .. n ..
    '","imageManifest":"' .. manifest .. '"}'
  return wrk.format(nil, "/", nil, body)
end

-- No response(): wrk counts the answers that are not 2xx itself ("Non-2xx or 3xx responses"),
-- and a Lua response callback would cost wrk CPU on every answer.
