-- Port of benchmark/trees.lox.
Tree = {}
Tree.__index = Tree

function Tree.new(depth)
  local self = setmetatable({}, Tree)
  self:init(depth)
  return self
end

function Tree:init(depth)
  self.depth = depth
  if depth > 0 then
    self.a = Tree.new(depth - 1)
    self.b = Tree.new(depth - 1)
    self.c = Tree.new(depth - 1)
    self.d = Tree.new(depth - 1)
    self.e = Tree.new(depth - 1)
  end
end

function Tree:walk()
  if self.depth == 0 then return 0 end
  return self.depth
      + self.a:walk()
      + self.b:walk()
      + self.c:walk()
      + self.d:walk()
      + self.e:walk()
end

tree = Tree.new(8)
start = os.clock()
do
  local i = 0
  while i < 100 do
    if tree:walk() ~= 122068 then print("Error") end
    i = i + 1
  end
end
print(os.clock() - start)
