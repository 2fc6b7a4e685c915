-- Port of benchmark/zoo_batch.lox (runs for 10 s of CPU time; the score is the batch count).
Zoo = {}
Zoo.__index = Zoo

function Zoo.new()
  local self = setmetatable({}, Zoo)
  self:init()
  return self
end

function Zoo:init()
  self.aarvark  = 1
  self.baboon   = 1
  self.cat      = 1
  self.donkey   = 1
  self.elephant = 1
  self.fox      = 1
end
function Zoo:ant()    return self.aarvark end
function Zoo:banana() return self.baboon end
function Zoo:tuna()   return self.cat end
function Zoo:hay()    return self.donkey end
function Zoo:grass()  return self.elephant end
function Zoo:mouse()  return self.fox end

zoo = Zoo.new()
sum = 0
start = os.clock()
batch = 0
while os.clock() - start < 10 do
  do
    local i = 0
    while i < 10000 do
      sum = sum + zoo:ant()
                + zoo:banana()
                + zoo:tuna()
                + zoo:hay()
                + zoo:grass()
                + zoo:mouse()
      i = i + 1
    end
  end
  batch = batch + 1
end

print(sum)
print(batch)
print(os.clock() - start)
