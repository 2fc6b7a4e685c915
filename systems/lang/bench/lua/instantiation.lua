-- Port of benchmark/instantiation.lox: instance creation and initializer calls.
Foo = {}
Foo.__index = Foo

function Foo.new()
  local self = setmetatable({}, Foo)
  self:init()
  return self
end

function Foo:init() end

start = os.clock()
i = 0
while i < 500000 do
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  Foo.new()
  i = i + 1
end

print(os.clock() - start)
