-- Port of benchmark/method_call.lox. NthToggle inherits from Toggle through __index; super.m()
-- is Toggle.m(self).
Toggle = {}
Toggle.__index = Toggle

function Toggle.new(startState)
  local self = setmetatable({}, Toggle)
  self:init(startState)
  return self
end

function Toggle:init(startState)
  self.state = startState
end

function Toggle:value() return self.state end

function Toggle:activate()
  self.state = not self.state
  return self
end

NthToggle = setmetatable({}, {__index = Toggle})
NthToggle.__index = NthToggle

function NthToggle.new(startState, maxCounter)
  local self = setmetatable({}, NthToggle)
  self:init(startState, maxCounter)
  return self
end

function NthToggle:init(startState, maxCounter)
  Toggle.init(self, startState)
  self.countMax = maxCounter
  self.count = 0
end

function NthToggle:activate()
  self.count = self.count + 1
  if self.count >= self.countMax then
    Toggle.activate(self)
    self.count = 0
  end
  return self
end

start = os.clock()
n = 100000
val = true
toggle = Toggle.new(val)

do
  local i = 0
  while i < n do
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    val = toggle:activate():value()
    i = i + 1
  end
end

print(toggle:value())

val = true
ntoggle = NthToggle.new(val, 3)

do
  local i = 0
  while i < n do
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    val = ntoggle:activate():value()
    i = i + 1
  end
end

print(ntoggle:value())
print(os.clock() - start)
