-- Port of benchmark/fib.lox (fib is a global function, as in the Lox program).
function fib(n)
  if n < 2 then return n end
  return fib(n - 2) + fib(n - 1)
end

start = os.clock()
print(fib(35) == 9227465)
print(os.clock() - start)
