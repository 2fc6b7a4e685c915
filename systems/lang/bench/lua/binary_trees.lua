-- Port of benchmark/binary_trees.lox. Lox globals stay Lua globals, Lox locals Lua locals;
-- a Lox class is a metatable, and calling it (Tree(...)) is Tree.new(...) running init.
Tree = {}
Tree.__index = Tree

function Tree.new(item, depth)
  local self = setmetatable({}, Tree)
  self:init(item, depth)
  return self
end

function Tree:init(item, depth)
  self.item = item
  self.depth = depth
  if depth > 0 then
    local item2 = item + item
    depth = depth - 1
    self.left = Tree.new(item2 - 1, depth)
    self.right = Tree.new(item2, depth)
  else
    self.left = nil
    self.right = nil
  end
end

function Tree:check()
  if self.left == nil then
    return self.item
  end
  return self.item + self.left:check() - self.right:check()
end

minDepth = 4
maxDepth = 14
stretchDepth = maxDepth + 1

start = os.clock()

print("stretch tree of depth:")
print(stretchDepth)
print("check:")
print(Tree.new(0, stretchDepth):check())

longLivedTree = Tree.new(0, maxDepth)

-- iterations = 2 ** maxDepth
iterations = 1
d = 0
while d < maxDepth do
  iterations = iterations * 2
  d = d + 1
end

depth = minDepth
while depth < stretchDepth do
  local check = 0
  local i = 1
  while i <= iterations do
    check = check + Tree.new(i, depth):check() + Tree.new(-i, depth):check()
    i = i + 1
  end

  print("num trees:")
  print(iterations * 2)
  print("depth:")
  print(depth)
  print("check:")
  print(check)

  iterations = iterations / 4
  depth = depth + 2
end

print("long lived tree of depth:")
print(maxDepth)
print("check:")
print(longLivedTree:check())
print("elapsed:")
print(os.clock() - start)
