// Unit tests of the pieces of the Lox VM: values, scanner, table, heap and collector, compiler,
// and the Interpreter API (output, errors, limits, interruption, tracing).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>

#include "systems/lang/allocator.h"
#include "systems/lang/compiler.h"
#include "systems/lang/heap.h"
#include "systems/lang/lang.h"
#include "systems/lang/scanner.h"
#include "systems/lang/table.h"
#include "systems/lang/value.h"

namespace sfs::lang {
namespace {

// A FILE* whose contents can be read back (open_memstream).
class Capture {
 public:
  Capture() { file_ = open_memstream(&buffer_, &size_); }
  ~Capture() {
    std::fclose(file_);
    std::free(buffer_);
  }
  FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

struct RunOutput {
  Outcome outcome;
  std::string out;
  std::string err;
};

RunOutput run(const std::string& source, Options options = Options()) {
  Capture out;
  Capture err;
  options.out = out.file();
  options.err = err.file();
  Interpreter interpreter(options);
  Outcome outcome = interpreter.run(source);
  return RunOutput{outcome, out.text(), err.text()};
}

// ---------------------------------------------------------------------------------------------
// Values

TEST(LoxValue, NanBoxingRoundTrips) {
  EXPECT_TRUE(Value::number(1.5).is_number());
  EXPECT_EQ(Value::number(1.5).as_number(), 1.5);
  EXPECT_TRUE(Value::number(-0.0).is_number());
  EXPECT_TRUE(Value::number(std::numeric_limits<double>::quiet_NaN()).is_number());
  EXPECT_TRUE(Value::number(0.0 / 0.0 * -1).is_number());
  EXPECT_TRUE(Value::number(std::numeric_limits<double>::infinity()).is_number());
  EXPECT_TRUE(Value::nil().is_nil());
  EXPECT_FALSE(Value::nil().is_number());
  EXPECT_TRUE(Value::boolean(true).as_bool());
  EXPECT_FALSE(Value::boolean(false).as_bool());
  EXPECT_TRUE(Value::boolean(false).is_bool());
  EXPECT_FALSE(Value::nil().is_bool());
  EXPECT_TRUE(Value::undefined().is_undefined());
  Heap heap;
  String* s = heap.intern("x");
  Value v = Value::object(s);
  EXPECT_TRUE(v.is_object());
  EXPECT_FALSE(v.is_number());
  EXPECT_EQ(v.as_object(), s);
}

TEST(LoxValue, FalseyAndEquality) {
  EXPECT_TRUE(Value::nil().is_falsey());
  EXPECT_TRUE(Value::boolean(false).is_falsey());
  EXPECT_FALSE(Value::boolean(true).is_falsey());
  EXPECT_FALSE(Value::number(0).is_falsey());
  EXPECT_FALSE(Value::undefined().is_falsey());
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(Value::number(nan) == Value::number(nan));
  EXPECT_TRUE(Value::number(0.0) == Value::number(-0.0));
  EXPECT_FALSE(Value::nil() == Value::boolean(false));
}

TEST(LoxValue, NumbersPrintLikeLox) {
  auto text = [](double d) {
    std::string out;
    append_number(&out, d);
    return out;
  };
  EXPECT_EQ(text(3), "3");
  EXPECT_EQ(text(-0.0), "-0");
  EXPECT_EQ(text(123.456), "123.456");
  EXPECT_EQ(text(10000002), "10000002");
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(1e21), "1e+21");
  EXPECT_EQ(text(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-inf");
}

// ---------------------------------------------------------------------------------------------
// Scanner

TEST(LoxScanner, Tokens) {
  Scanner scanner("var x = 1.5; // comment\nprint x >= \"a\nb\" and orchid;");
  std::vector<TokenType> types;
  std::vector<std::string> texts;
  for (Token t = scanner.next(); t.type != TokenType::kEof; t = scanner.next()) {
    types.push_back(t.type);
    texts.emplace_back(t.text);
  }
  using T = TokenType;
  std::vector<TokenType> expected = {
      T::kVar,        T::kIdentifier,   T::kEqual,  T::kNumber, T::kSemicolon,  T::kPrint,
      T::kIdentifier, T::kGreaterEqual, T::kString, T::kAnd,    T::kIdentifier, T::kSemicolon};
  EXPECT_EQ(types, expected);
  EXPECT_EQ(texts[3], "1.5");
  EXPECT_EQ(texts[8], "\"a\nb\"");
  EXPECT_EQ(texts[10], "orchid");  // a keyword prefix is still an identifier
}

TEST(LoxScanner, ErrorsAndLines) {
  Scanner scanner("1.\n|\n\"open");
  Token one = scanner.next();
  EXPECT_EQ(one.type, TokenType::kNumber);
  EXPECT_EQ(one.text, "1");  // a trailing dot is not part of the number
  EXPECT_EQ(scanner.next().type, TokenType::kDot);
  Token bad = scanner.next();
  EXPECT_EQ(bad.type, TokenType::kError);
  EXPECT_EQ(bad.text, "Unexpected character.");
  EXPECT_EQ(bad.line, 2);
  Token open = scanner.next();
  EXPECT_EQ(open.type, TokenType::kError);
  EXPECT_EQ(open.text, "Unterminated string.");
  EXPECT_EQ(scanner.next().type, TokenType::kEof);
}

// ---------------------------------------------------------------------------------------------
// Table and heap

TEST(LoxTable, SetFindEraseAndGrow) {
  Heap heap;
  Table table;
  std::vector<String*> keys;
  for (int i = 0; i < 100; ++i) keys.push_back(heap.intern("k" + std::to_string(i)));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(table.set(keys[i], Value::number(i)));
  EXPECT_FALSE(table.set(keys[5], Value::number(-5)));
  EXPECT_EQ(table.size(), 100u);
  EXPECT_EQ(table.find(keys[5])->as_number(), -5);
  EXPECT_EQ(table.find(keys[99])->as_number(), 99);
  for (int i = 0; i < 100; i += 2) EXPECT_TRUE(table.erase(keys[i]));
  EXPECT_FALSE(table.erase(keys[0]));
  EXPECT_EQ(table.size(), 50u);
  EXPECT_EQ(table.find(keys[0]), nullptr);
  EXPECT_EQ(table.find(keys[1])->as_number(), 1);
  EXPECT_TRUE(table.set(keys[0], Value::nil()));  // reuses a tombstone
  EXPECT_TRUE(table.find(keys[0])->is_nil());
  EXPECT_EQ(table.size(), 51u);
}

TEST(LoxAllocator, BlocksDoNotOverlapAndAreReused) {
  Allocator allocator;
  struct Block {
    unsigned char* p;
    size_t size;
    unsigned char fill;
  };
  std::vector<Block> live;
  auto check_all = [&] {
    for (const Block& b : live) {
      for (size_t i = 0; i < b.size; ++i) ASSERT_EQ(b.p[i], b.fill);
    }
  };
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < 3000; ++i) {
      size_t size = 1 + (i * 37) % 700;  // small classes and a few large (> kMaxSmall) blocks
      auto* p = static_cast<unsigned char*>(allocator.allocate(size));
      ASSERT_NE(p, nullptr);
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
      unsigned char fill = static_cast<unsigned char>(i * 7 + round);
      std::memset(p, fill, size);
      live.push_back(Block{p, size, fill});
    }
    check_all();
    // Free every other block; the next round reuses them.
    std::vector<Block> kept;
    for (size_t i = 0; i < live.size(); ++i) {
      if (i % 2 == 0) {
        allocator.release(live[i].p, live[i].size);
      } else {
        kept.push_back(live[i]);
      }
    }
    live = kept;
  }
  check_all();
  for (const Block& b : live) allocator.release(b.p, b.size);
}

class PinnedRoots final : public GcRoots {
 public:
  void mark_roots(Heap& heap) override {
    for (Value v : values) heap.mark_value(v);
  }
  std::vector<Value> values;
};

TEST(LoxHeap, InterningMakesEqualStringsIdentical) {
  Heap heap;
  String* a = heap.intern("hello world");
  EXPECT_EQ(heap.intern("hello world"), a);
  TempRoot keep_a(heap, a);
  String* left = heap.intern("hello ");
  TempRoot keep_left(heap, left);
  String* right = heap.intern("world");
  TempRoot keep_right(heap, right);
  EXPECT_EQ(heap.concat(left, right), a);
  String* other = heap.concat(right, left);
  EXPECT_EQ(other->view(), "worldhello ");
  EXPECT_EQ(other->hash, hash_bytes("worldhello ", 11));
}

TEST(LoxHeap, CollectionFreesOnlyUnreachableObjects) {
  Heap heap;
  PinnedRoots roots;
  heap.add_roots(&roots);
  String* kept = heap.intern("kept");
  roots.values.push_back(Value::object(kept));
  size_t before = heap.bytes_allocated();
  for (int i = 0; i < 1000; ++i) heap.intern("garbage " + std::to_string(i));
  EXPECT_GT(heap.bytes_allocated(), before);
  heap.collect();
  EXPECT_EQ(heap.bytes_allocated(), before);
  EXPECT_EQ(heap.intern("kept"), kept);  // still interned, still the same object
  heap.remove_roots(&roots);
}

TEST(LoxHeap, InstancesTraceTheirFieldsAndShapes) {
  Heap heap;
  PinnedRoots roots;
  heap.add_roots(&roots);
  Class* klass = heap.make<Class>(0, heap.intern("Point"));
  roots.values.push_back(Value::object(klass));
  Instance* instance = heap.new_instance(klass);
  roots.values.push_back(Value::object(instance));
  String* name = heap.intern("x");
  Shape* shape = heap.shape_with(instance->shape, name);
  heap.grow_fields(instance, 1);
  instance->fields[0] = Value::object(heap.intern("field value"));
  instance->shape = shape;
  heap.collect();
  EXPECT_EQ(shape_find(instance->shape, heap.intern("x")), 0);
  EXPECT_EQ(as_string(instance->fields[0])->view(), "field value");
  EXPECT_EQ(heap.shape_with(klass->root_shape, name), shape);  // transitions are shared
  heap.remove_roots(&roots);
}

// ---------------------------------------------------------------------------------------------
// Compiler

TEST(LoxCompiler, ReportsErrorsWithLineAndToken) {
  Heap heap;
  Globals globals;
  CompileResult result = compile("var x = ;\nprint 1 +;\nreturn 3;", heap, globals);
  EXPECT_EQ(result.function, nullptr);
  EXPECT_EQ(result.errors,
            "[line 1] Error at ';': Expect expression.\n"
            "[line 2] Error at ';': Expect expression.\n"
            "[line 3] Error at 'return': Can't return from top-level code.\n");
  EXPECT_FALSE(result.incomplete);
}

TEST(LoxCompiler, KnowsWhenInputIsIncomplete) {
  Heap heap;
  Globals globals;
  EXPECT_TRUE(compile("fun f() {", heap, globals).incomplete);
  EXPECT_TRUE(compile("print (1 +", heap, globals).incomplete);
  EXPECT_TRUE(compile("print \"abc", heap, globals).incomplete);
  EXPECT_TRUE(compile("print 1", heap, globals).incomplete);
  EXPECT_FALSE(compile("print 1 +;", heap, globals).incomplete);
  EXPECT_FALSE(compile("}", heap, globals).incomplete);
  EXPECT_NE(compile("print 1;", heap, globals).function, nullptr);
}

TEST(LoxCompiler, ComputesTheStackDepthOfEachFunction) {
  Heap heap;
  Globals globals;
  CompileResult result =
      compile("fun f(a, b) { var c = a + b * (a - b); return c; }", heap, globals);
  ASSERT_NE(result.function, nullptr);
  const Function* f = nullptr;
  for (Value constant : result.function->chunk.constants) {
    if (is_obj_type(constant, ObjType::kFunction)) f = as_function(constant);
  }
  ASSERT_NE(f, nullptr);
  // slot 0, a, b, then c's initializer: a, b * (a - b) needs b, a, b -> 3 + 4.
  EXPECT_EQ(f->max_stack, 7);
}

TEST(LoxCompiler, DisassemblyShowsFusedInstructions) {
  Listing listing = disassemble(
      "fun fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }\n"
      "class P { init(x) { this.x = x; } get() { return this.x; } }\n"
      "var i = 0; i = i + 1;");
  ASSERT_TRUE(listing.ok) << listing.text;
  EXPECT_NE(listing.text.find("== <fn fib> =="), std::string::npos);
  EXPECT_NE(listing.text.find("LESS_K"), std::string::npos);
  EXPECT_NE(listing.text.find("SUBTRACT_K"), std::string::npos);
  EXPECT_NE(listing.text.find("SET_THIS_PROPERTY_POP"), std::string::npos);
  EXPECT_NE(listing.text.find("GET_THIS_PROPERTY"), std::string::npos);
  EXPECT_NE(listing.text.find("SET_GLOBAL_POP"), std::string::npos);
  EXPECT_NE(listing.text.find("'i'"), std::string::npos);

  Listing bad = disassemble("print ;");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.text, "[line 1] Error at ';': Expect expression.\n");
}

TEST(LoxCompiler, DoesNotFuseAcrossJumpTargets) {
  // `(a and this).x`: the jump of `and` lands after GET_LOCAL 0, so it must not be fused.
  RunOutput r =
      run("class A { m(a) { return (a and this).x; } }\n"
          "var o = A(); o.x = 5; print o.m(true); print o.m(false);");
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(r.out, "5\n");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "Only instances have properties.");
}

// ---------------------------------------------------------------------------------------------
// Running programs

TEST(LoxInterpreter, RunsAndPrints) {
  RunOutput r = run("print 1 + 2; print \"a\" + \"b\"; print nil; print true; print clock;");
  EXPECT_EQ(r.outcome, Outcome::kOk);
  EXPECT_EQ(r.out, "3\nab\nnil\ntrue\n<native fn>\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(exit_code(r.outcome), 0);
}

TEST(LoxInterpreter, RuntimeErrorHasMessageAndStackTrace) {
  RunOutput r =
      run("fun inner() {\n"
          "  return 1 + nil;\n"
          "}\n"
          "fun outer() { return inner(); }\n"
          "outer();\n");
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(exit_code(r.outcome), 70);
  EXPECT_EQ(r.err,
            "Operands must be two numbers or two strings.\n"
            "[line 2] in inner()\n"
            "[line 4] in outer()\n"
            "[line 5] in script\n");
}

TEST(LoxInterpreter, CompileErrorRunsNothing) {
  RunOutput r = run("print 1;\nprint 2 +;");
  EXPECT_EQ(r.outcome, Outcome::kCompileError);
  EXPECT_EQ(exit_code(r.outcome), 65);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "[line 2] Error at ';': Expect expression.\n");
}

TEST(LoxInterpreter, GlobalsPersistBetweenRuns) {
  Capture out;
  Capture err;
  Options options;
  options.out = out.file();
  options.err = err.file();
  Interpreter lox(options);
  EXPECT_EQ(lox.run("var a = 1; fun f() { return a + 1; }"), Outcome::kOk);
  EXPECT_EQ(lox.run("print f();"), Outcome::kOk);
  EXPECT_EQ(lox.run("print nope;"), Outcome::kRuntimeError);
  EXPECT_EQ(lox.run("a = 10; print f();"), Outcome::kOk);  // the VM recovered from the error
  EXPECT_EQ(out.text(), "2\n11\n");
  EXPECT_TRUE(lox.needs_more_input("class A {"));
  EXPECT_FALSE(lox.needs_more_input("class A {}"));
}

TEST(LoxInterpreter, DeepRecursionIsAStackOverflowError) {
  RunOutput r = run("fun f(n) { return f(n + 1) + 1; }\nf(0);");
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "Stack overflow.");
  EXPECT_NE(r.err.find("more frames"), std::string::npos);  // the trace is abbreviated
  EXPECT_LT(r.err.size(), 4000u);
}

TEST(LoxInterpreter, HugeStringsAreAnError) {
  Options options;
  options.max_string_length = 1 << 20;
  RunOutput r =
      run("var s = \"0123456789abcdef\";\n"
          "while (true) s = s + s;\n",
          options);
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(r.err, "String too long.\n[line 2] in script\n");
}

TEST(LoxInterpreter, StepLimitStopsInfiniteLoops) {
  Options options;
  options.max_steps = 100000;
  RunOutput r = run("var i = 0;\nwhile (true) i = i + 1;", options);
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "Step limit exceeded.");
  RunOutput recursion = run("fun f(n) { if (n > 0) { f(n - 1); f(n - 1); } }\nf(40);", options);
  EXPECT_EQ(recursion.err.substr(0, recursion.err.find('\n')), "Step limit exceeded.");
  RunOutput fine = run("for (var i = 0; i < 1000; i = i + 1) {} print \"done\";", options);
  EXPECT_EQ(fine.outcome, Outcome::kOk);
}

TEST(LoxInterpreter, HeapLimitIsAnOutOfMemoryError) {
  Options options;
  options.max_heap_bytes = 8 << 20;
  RunOutput r =
      run("class Node { init(next) { this.next = next; } }\n"
          "var list = nil;\n"
          "while (true) list = Node(list);\n",
          options);
  EXPECT_EQ(r.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "Out of memory.");
}

TEST(LoxInterpreter, InterruptStopsARunningProgram) {
  Capture out;
  Capture err;
  Options options;
  options.out = out.file();
  options.err = err.file();
  Interpreter lox(options);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lox.interrupt();
  });
  Outcome outcome = lox.run("while (true) {}");
  stopper.join();
  EXPECT_EQ(outcome, Outcome::kRuntimeError);
  EXPECT_EQ(err.text().substr(0, 13), "Interrupted.\n");
}

TEST(LoxInterpreter, TracePrintsEachInstruction) {
  Options options;
  options.trace = true;
  RunOutput r = run("var a = 1;\nprint a + 2;", options);
  EXPECT_EQ(r.out, "3\n");
  EXPECT_NE(r.err.find("CONSTANT"), std::string::npos);
  EXPECT_NE(r.err.find("ADD_K"), std::string::npos);
  EXPECT_NE(r.err.find("[ 1 ]"), std::string::npos);  // the stack before ADD_K
}

TEST(LoxInterpreter, StressGcKeepsEverythingReachable) {
  Options options;
  options.stress_gc = true;
  RunOutput r = run(
      "class A { init(n) { this.n = n; this.s = \"v\" + \"x\"; } get() { return this.n; } }\n"
      "fun make(n) { var a = A(n); fun f() { return a.get() + n; } return f; }\n"
      "var total = 0;\n"
      "for (var i = 0; i < 200; i = i + 1) { var m = A(i).get; total = total + make(i)() + m(); }\n"
      "print total;",
      options);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.err;
  EXPECT_EQ(r.out, "59700\n");
}

}  // namespace
}  // namespace sfs::lang
