-- Argo CD health of a serin.dev Canary, read from the status the controller writes
-- (src/api/canary.ts, kstatus conditions from src/machine/conditions.ts). Argo CD runs this with
-- Lua 5.1 and the object in the global `obj`.
local hs = {}

local function condition(status, kind)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function say(health, message)
  hs.status = health
  hs.message = message
  return hs
end

if obj.status == nil then
  return say("Progressing", "Waiting for serin to reconcile the Canary")
end
local status = obj.status
local message = status.message or ""

-- A status written for an older spec says nothing about the current one.
if obj.metadata.generation ~= nil and status.observedGeneration ~= obj.metadata.generation then
  return say("Progressing", "Waiting for serin to observe generation " .. obj.metadata.generation)
end

-- Stalled: aborted, failed, or a spec/template/VirtualService problem that needs a person.
local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return say("Degraded", stalled.message or message)
end
if status.phase == "Aborted" or status.phase == "Failed" then
  return say("Degraded", message)
end

if status.phase == "Paused" then
  -- Manual: waiting for an Approval. InconclusiveAnalysis, AnalysisError: waiting for a person too.
  local reason = status.pauseReason or "Manual"
  if reason == "Manual" then
    return say("Suspended", "Waiting for an Approval: " .. message)
  end
  return say("Suspended", reason .. ": " .. message)
end

if status.phase == "Idle" or status.phase == "Succeeded" then
  return say("Healthy", message)
end

return say("Progressing", message)
