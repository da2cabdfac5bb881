-- wrk script: POSTs a JSON body built from a template, with {ID} replaced by ids read from a file in turn.
-- Environment: IDS_FILE (one id a line), BODY_TEMPLATE (JSON with {ID}), TOKEN (bearer token).
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local template = os.getenv("BODY_TEMPLATE")
local token = os.getenv("TOKEN")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

local n = 0
function request()
  n = n + 1
  local id = ids[((n + (offset or 0)) % #ids) + 1]
  local body = template:gsub("{ID}", id)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
