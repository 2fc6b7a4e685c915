// The single-pass Lox compiler (design in compiler.h, instruction set in BYTECODE.md).
//
// State while compiling:
//
//   Compiler ── fs_ ──> FunctionState (innermost function) ── enclosing ──> ... ──> script
//            └─ cs_ ──> ClassState (innermost class)       ── enclosing ──> ...
//
// A FunctionState owns the Function being filled, its locals (name, scope depth, captured?) and
// the upvalues it captures. Locals live in stack slots in declaration order, so a local's index
// in `locals` is its slot number; slot 0 holds the callee (named "this" in methods).
//
// Besides emitting code, the compiler tracks how deep the value stack can get in each function
// (stack_depth, using each instruction's stack effect from kOpInfo), so the VM checks for stack
// overflow once per call instead of on every push.
//
// Peephole: `this.name` and `this.name = value` are fused into kGetThisProperty/kSetThisProperty
// when the GET_LOCAL 0 that loaded `this` is the last instruction and no jump lands after it
// (last_target), since those two are most of the property traffic in object-oriented code.
#include "systems/lang/compiler.h"

#include <cstdlib>
#include <memory>

#include "systems/lang/scanner.h"

namespace sfs::lang {

// ---------------------------------------------------------------------------------------------
// Globals

int Globals::slot_for(String* name) {
  if (const Value* slot = slots_.find(name)) return static_cast<int>(slot->as_number());
  if (size() >= kMaxGlobals) return -1;
  int slot = size();
  slots_.set(name, Value::number(slot));
  names_.push_back(name);
  values_.push_back(Value::undefined());
  return slot;
}

void Globals::mark(Heap& heap) {
  for (String* name : names_) heap.mark_object(name);
  for (Value value : values_) heap.mark_value(value);
}

namespace {

enum class Precedence : uint8_t {
  kNone,
  kAssignment,  // =
  kOr,          // or
  kAnd,         // and
  kEquality,    // == !=
  kComparison,  // < > <= >=
  kTerm,        // + -
  kFactor,      // * /
  kUnary,       // ! -
  kCall,        // . ()
  kPrimary,
};

enum class FunctionKind { kFunction, kInitializer, kMethod, kScript };

struct Local {
  std::string_view name;
  int depth;  // -1 while its initializer is being compiled
  bool captured;
};

struct UpvalueRef {
  uint8_t index;
  bool is_local;  // captures a local of the enclosing function (else one of its upvalues)
};

constexpr size_t kNoOffset = static_cast<size_t>(-1);
constexpr int kMaxLocals = 256;
constexpr int kMaxUpvalues = 256;
constexpr int kMaxConstants = 256;
constexpr int kMaxArguments = 255;
constexpr size_t kMaxStringLiteral = 0xfffffff0u;  // string lengths are 32-bit

struct FunctionState {
  FunctionState* enclosing = nullptr;
  Function* function = nullptr;
  FunctionKind kind = FunctionKind::kScript;
  std::vector<Local> locals;
  std::vector<UpvalueRef> upvalues;
  int scope_depth = 0;
  int stack_depth = 0;
  bool uses_caches = false;
  size_t last_op = kNoOffset;      // offset of the last instruction emitted
  size_t last_target = kNoOffset;  // the latest offset a jump lands on
};

struct ClassState {
  ClassState* enclosing = nullptr;
  bool has_superclass = false;
};

class Compiler;
using ParseFn = void (Compiler::*)(bool can_assign);

struct ParseRule {
  ParseFn prefix;
  ParseFn infix;
  Precedence precedence;
};

class Compiler final : public GcRoots {
 public:
  Compiler(std::string_view source, Heap& heap, Globals& globals)
      : scanner_(source), heap_(heap), globals_(globals) {
    heap_.add_roots(this);
  }
  ~Compiler() { heap_.remove_roots(this); }
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  CompileResult run();
  void mark_roots(Heap& heap) override {
    for (FunctionState* fs = fs_; fs != nullptr; fs = fs->enclosing) heap.mark_object(fs->function);
    globals_.mark(heap);
  }

  // Parse rules (referenced from the rule table).
  void grouping(bool can_assign);
  void call(bool can_assign);
  void dot(bool can_assign);
  void unary(bool can_assign);
  void binary(bool can_assign);
  void variable(bool can_assign);
  void string(bool can_assign);
  void number(bool can_assign);
  void and_(bool can_assign);
  void or_(bool can_assign);
  void literal(bool can_assign);
  void super_(bool can_assign);
  void this_(bool can_assign);

 private:
  // Guards the recursion depth of the recursive-descent functions.
  class Nesting {
   public:
    explicit Nesting(Compiler& c) : c_(c) { ++c_.nesting_; }
    ~Nesting() { --c_.nesting_; }
    // Past kMaxNesting: reports the error and abandons the rest of the input (see too_deep()).
    bool too_deep(std::string_view what) {
      if (c_.nesting_ <= kMaxNesting) return false;
      c_.error_at_current(what);
      c_.abandon();
      return true;
    }

   private:
    Compiler& c_;
  };

  // Tokens and errors.
  void advance();
  void consume(TokenType type, std::string_view message);
  bool check(TokenType type) const { return current_.type == type; }
  bool match(TokenType type);
  void error_at(const Token& token, std::string_view message);
  void error(std::string_view message) { error_at(previous_, message); }
  void error_at_current(std::string_view message) { error_at(current_, message); }
  void synchronize();
  // Stops compiling: every later token reads as the end of input and no further error is
  // reported. Used after "nesting too deep", where the usual recovery would report one cascaded
  // error per open level.
  void abandon();

  // Emitting code.
  Chunk& chunk() { return fs_->function->chunk; }
  void emit_byte(uint8_t byte) { chunk().write(byte, previous_.line); }
  void emit_op(Op op);
  void emit_op_arg(Op op, uint8_t arg) {
    emit_op(op);
    emit_byte(arg);
  }
  void emit_op_short(Op op, int arg) {
    emit_op(op);
    emit_byte(static_cast<uint8_t>(arg >> 8));
    emit_byte(static_cast<uint8_t>(arg));
  }
  void adjust_stack(int delta);
  size_t emit_jump(Op op);
  void patch_jump(size_t offset);
  void emit_loop(size_t loop_start);
  void emit_return();
  uint8_t make_constant(Value value);
  void emit_constant(Value value) { emit_op_arg(Op::kConstant, make_constant(value)); }
  uint8_t identifier_constant(std::string_view name);
  // True when the last instruction is `op` and may be fused with what follows.
  bool last_is(Op op);
  // True when the last instruction is GET_LOCAL 0 (`this`) and may be fused with what follows.
  bool last_is_this();
  void drop_last_instruction();
  // Discards the value of an expression statement: a POP, or a store's popping form.
  void emit_discard();

  // Functions and scopes.
  void begin_function(FunctionState* state, FunctionKind kind);
  Function* end_function();
  void begin_scope() { ++fs_->scope_depth; }
  void end_scope();

  // Variables.
  int global_slot(std::string_view name);
  void add_local(std::string_view name);
  void declare_variable();
  int parse_variable(std::string_view message);
  void mark_initialized();
  void define_variable(int global);
  int resolve_local(FunctionState* fs, std::string_view name);
  int add_upvalue(FunctionState* fs, uint8_t index, bool is_local);
  int resolve_upvalue(FunctionState* fs, std::string_view name);
  void named_variable(std::string_view name, bool can_assign);
  uint8_t argument_list();

  // Grammar.
  void expression() { parse_precedence(Precedence::kAssignment); }
  void parse_precedence(Precedence precedence);
  void declaration();
  void class_declaration();
  void method();
  void fun_declaration();
  void function(FunctionKind kind);
  void var_declaration();
  void statement();
  void print_statement();
  void expression_statement();
  void if_statement();
  void while_statement();
  void for_statement();
  void return_statement();
  void block();

  Scanner scanner_;
  Heap& heap_;
  Globals& globals_;
  Token current_;
  Token previous_;
  bool had_error_ = false;
  bool panic_mode_ = false;
  bool incomplete_ = false;
  bool abandoned_ = false;
  int nesting_ = 0;
  std::string errors_;
  FunctionState* fs_ = nullptr;
  ClassState* cs_ = nullptr;
};

constexpr ParseRule make_rule(ParseFn prefix, ParseFn infix, Precedence precedence) {
  return ParseRule{prefix, infix, precedence};
}

// The Pratt table: for each token, how it starts an expression, how it continues one, and how
// tightly it binds as an infix operator.
const ParseRule* rule_for(TokenType type) {
  using C = Compiler;
  using P = Precedence;
  // clang-format off
  static const ParseRule kRules[] = {
      /* kLeftParen    */ make_rule(&C::grouping, &C::call, P::kCall),
      /* kRightParen   */ make_rule(nullptr, nullptr, P::kNone),
      /* kLeftBrace    */ make_rule(nullptr, nullptr, P::kNone),
      /* kRightBrace   */ make_rule(nullptr, nullptr, P::kNone),
      /* kComma        */ make_rule(nullptr, nullptr, P::kNone),
      /* kDot          */ make_rule(nullptr, &C::dot, P::kCall),
      /* kMinus        */ make_rule(&C::unary, &C::binary, P::kTerm),
      /* kPlus         */ make_rule(nullptr, &C::binary, P::kTerm),
      /* kSemicolon    */ make_rule(nullptr, nullptr, P::kNone),
      /* kSlash        */ make_rule(nullptr, &C::binary, P::kFactor),
      /* kStar         */ make_rule(nullptr, &C::binary, P::kFactor),
      /* kBang         */ make_rule(&C::unary, nullptr, P::kNone),
      /* kBangEqual    */ make_rule(nullptr, &C::binary, P::kEquality),
      /* kEqual        */ make_rule(nullptr, nullptr, P::kNone),
      /* kEqualEqual   */ make_rule(nullptr, &C::binary, P::kEquality),
      /* kGreater      */ make_rule(nullptr, &C::binary, P::kComparison),
      /* kGreaterEqual */ make_rule(nullptr, &C::binary, P::kComparison),
      /* kLess         */ make_rule(nullptr, &C::binary, P::kComparison),
      /* kLessEqual    */ make_rule(nullptr, &C::binary, P::kComparison),
      /* kIdentifier   */ make_rule(&C::variable, nullptr, P::kNone),
      /* kString       */ make_rule(&C::string, nullptr, P::kNone),
      /* kNumber       */ make_rule(&C::number, nullptr, P::kNone),
      /* kAnd          */ make_rule(nullptr, &C::and_, P::kAnd),
      /* kClass        */ make_rule(nullptr, nullptr, P::kNone),
      /* kElse         */ make_rule(nullptr, nullptr, P::kNone),
      /* kFalse        */ make_rule(&C::literal, nullptr, P::kNone),
      /* kFor          */ make_rule(nullptr, nullptr, P::kNone),
      /* kFun          */ make_rule(nullptr, nullptr, P::kNone),
      /* kIf           */ make_rule(nullptr, nullptr, P::kNone),
      /* kNil          */ make_rule(&C::literal, nullptr, P::kNone),
      /* kOr           */ make_rule(nullptr, &C::or_, P::kOr),
      /* kPrint        */ make_rule(nullptr, nullptr, P::kNone),
      /* kReturn       */ make_rule(nullptr, nullptr, P::kNone),
      /* kSuper        */ make_rule(&C::super_, nullptr, P::kNone),
      /* kThis         */ make_rule(&C::this_, nullptr, P::kNone),
      /* kTrue         */ make_rule(&C::literal, nullptr, P::kNone),
      /* kVar          */ make_rule(nullptr, nullptr, P::kNone),
      /* kWhile        */ make_rule(nullptr, nullptr, P::kNone),
      /* kError        */ make_rule(nullptr, nullptr, P::kNone),
      /* kEof          */ make_rule(nullptr, nullptr, P::kNone),
  };
  // clang-format on
  static_assert(sizeof(kRules) / sizeof(kRules[0]) == static_cast<size_t>(TokenType::kCount));
  return &kRules[static_cast<int>(type)];
}

// ---------------------------------------------------------------------------------------------
// Tokens and errors

void Compiler::advance() {
  previous_ = current_;
  if (abandoned_) return;  // current_ stays at the end of input
  for (;;) {
    current_ = scanner_.next();
    if (current_.type != TokenType::kError) break;
    error_at_current(current_.text);
  }
}

void Compiler::consume(TokenType type, std::string_view message) {
  if (current_.type == type) {
    advance();
    return;
  }
  error_at_current(message);
}

bool Compiler::match(TokenType type) {
  if (!check(type)) return false;
  advance();
  return true;
}

void Compiler::abandon() {
  abandoned_ = true;
  current_.type = TokenType::kEof;
  current_.text = "";
}

void Compiler::error_at(const Token& token, std::string_view message) {
  if (panic_mode_ || abandoned_) return;
  panic_mode_ = true;
  if (!had_error_) {
    incomplete_ = token.type == TokenType::kEof ||
                  (token.type == TokenType::kError && message == "Unterminated string.");
  }
  had_error_ = true;
  errors_ += "[line " + std::to_string(token.line) + "] Error";
  if (token.type == TokenType::kEof) {
    errors_ += " at end";
  } else if (token.type != TokenType::kError) {
    errors_ += " at '";
    errors_ += token.text;
    errors_ += "'";
  }
  errors_ += ": ";
  errors_ += message;
  errors_ += "\n";
}

void Compiler::synchronize() {
  panic_mode_ = false;
  while (current_.type != TokenType::kEof) {
    if (previous_.type == TokenType::kSemicolon) return;
    switch (current_.type) {
      case TokenType::kClass:
      case TokenType::kFun:
      case TokenType::kVar:
      case TokenType::kFor:
      case TokenType::kIf:
      case TokenType::kWhile:
      case TokenType::kPrint:
      case TokenType::kReturn:
        return;
      default:
        break;
    }
    advance();
  }
}

// ---------------------------------------------------------------------------------------------
// Emitting code

void Compiler::adjust_stack(int delta) {
  fs_->stack_depth += delta;
  if (fs_->stack_depth > fs_->function->max_stack) fs_->function->max_stack = fs_->stack_depth;
}

void Compiler::emit_op(Op op) {
  fs_->last_op = chunk().code.size();
  emit_byte(static_cast<uint8_t>(op));
  adjust_stack(op_info(op).stack_effect);
}

size_t Compiler::emit_jump(Op op) {
  emit_op(op);
  emit_byte(0xff);
  emit_byte(0xff);
  return chunk().code.size() - 2;
}

void Compiler::patch_jump(size_t offset) {
  size_t jump = chunk().code.size() - offset - 2;
  if (jump > 0xffff) error("Too much code to jump over.");
  chunk().code[offset] = static_cast<uint8_t>(jump >> 8);
  chunk().code[offset + 1] = static_cast<uint8_t>(jump);
  fs_->last_target = chunk().code.size();
}

void Compiler::emit_loop(size_t loop_start) {
  emit_op(Op::kLoop);
  size_t offset = chunk().code.size() - loop_start + 2;
  if (offset > 0xffff) error("Loop body too large.");
  emit_byte(static_cast<uint8_t>(offset >> 8));
  emit_byte(static_cast<uint8_t>(offset));
}

void Compiler::emit_return() {
  if (fs_->kind == FunctionKind::kInitializer) {
    emit_op_arg(Op::kGetLocal, 0);
  } else {
    emit_op(Op::kNil);
  }
  emit_op(Op::kReturn);
}

uint8_t Compiler::make_constant(Value value) {
  // No deduplication: every use gets its own constant, and property instructions rely on that to
  // own their inline-cache entry (chunk.h).
  auto& constants = chunk().constants;
  if (constants.size() >= kMaxConstants) {
    error("Too many constants in one chunk.");
    return 0;
  }
  constants.push_back(value);
  return static_cast<uint8_t>(constants.size() - 1);
}

uint8_t Compiler::identifier_constant(std::string_view name) {
  return make_constant(Value::object(heap_.intern(name)));
}

bool Compiler::last_is(Op op) {
  const auto& code = chunk().code;
  size_t last = fs_->last_op;
  // No jump may land between the last instruction and what follows it, or fusing the two would
  // move the landing point into the middle of an instruction.
  return last != kNoOffset && code[last] == static_cast<uint8_t>(op) &&
         fs_->last_target != code.size();
}

bool Compiler::last_is_this() {
  return last_is(Op::kGetLocal) && chunk().code[fs_->last_op + 1] == 0;
}

void Compiler::drop_last_instruction() {
  // REQUIRES: the last instruction pushes exactly one value (GET_LOCAL, CONSTANT).
  chunk().code.resize(fs_->last_op);
  chunk().lines.resize(fs_->last_op);
  adjust_stack(-1);
  fs_->last_op = kNoOffset;
}

void Compiler::emit_discard() {
  // `x = y;`: SET_LOCAL s; POP  ->  SET_LOCAL_POP s (and likewise for the other stores).
  static constexpr std::pair<Op, Op> kPopForms[] = {
      {Op::kSetLocal, Op::kSetLocalPop},
      {Op::kSetGlobal, Op::kSetGlobalPop},
      {Op::kSetUpvalue, Op::kSetUpvaluePop},
      {Op::kSetProperty, Op::kSetPropertyPop},
      {Op::kSetThisProperty, Op::kSetThisPropertyPop},
  };
  for (const auto& [store, store_pop] : kPopForms) {
    if (last_is(store)) {
      chunk().code[fs_->last_op] = static_cast<uint8_t>(store_pop);
      adjust_stack(-1);
      return;
    }
  }
  emit_op(Op::kPop);
}

// ---------------------------------------------------------------------------------------------
// Functions and scopes

void Compiler::begin_function(FunctionState* state, FunctionKind kind) {
  state->enclosing = fs_;
  state->kind = kind;
  state->function = heap_.make<Function>(0);
  fs_ = state;  // from here on the function is a GC root
  if (kind != FunctionKind::kScript) state->function->name = heap_.intern(previous_.text);
  bool is_method = kind == FunctionKind::kMethod || kind == FunctionKind::kInitializer;
  state->locals.push_back(Local{is_method ? "this" : "", 0, false});
  adjust_stack(1);
}

Function* Compiler::end_function() {
  emit_return();
  Function* function = fs_->function;
  function->upvalue_count = static_cast<int>(fs_->upvalues.size());
  if (fs_->uses_caches) function->chunk.caches.resize(function->chunk.constants.size());
  fs_ = fs_->enclosing;
  return function;
}

void Compiler::end_scope() {
  --fs_->scope_depth;
  auto& locals = fs_->locals;
  while (!locals.empty() && locals.back().depth > fs_->scope_depth) {
    emit_op(locals.back().captured ? Op::kCloseUpvalue : Op::kPop);
    locals.pop_back();
  }
}

// ---------------------------------------------------------------------------------------------
// Variables

int Compiler::global_slot(std::string_view name) {
  int slot = globals_.slot_for(heap_.intern(name));
  if (slot < 0) {
    error("Too many global variables.");
    return 0;
  }
  return slot;
}

void Compiler::add_local(std::string_view name) {
  if (fs_->locals.size() >= kMaxLocals) {
    error("Too many local variables in function.");
    return;
  }
  fs_->locals.push_back(Local{name, -1, false});
}

void Compiler::declare_variable() {
  if (fs_->scope_depth == 0) return;
  std::string_view name = previous_.text;
  for (auto it = fs_->locals.rbegin(); it != fs_->locals.rend(); ++it) {
    if (it->depth != -1 && it->depth < fs_->scope_depth) break;
    if (it->name == name) {
      error("Already a variable with this name in this scope.");
      break;
    }
  }
  add_local(name);
}

int Compiler::parse_variable(std::string_view message) {
  consume(TokenType::kIdentifier, message);
  declare_variable();
  if (fs_->scope_depth > 0) return 0;
  return global_slot(previous_.text);
}

void Compiler::mark_initialized() {
  if (fs_->scope_depth == 0) return;
  fs_->locals.back().depth = fs_->scope_depth;
}

void Compiler::define_variable(int global) {
  if (fs_->scope_depth > 0) {
    mark_initialized();  // the value already sits in the local's slot
    return;
  }
  emit_op_short(Op::kDefineGlobal, global);
}

int Compiler::resolve_local(FunctionState* fs, std::string_view name) {
  for (int i = static_cast<int>(fs->locals.size()) - 1; i >= 0; --i) {
    const Local& local = fs->locals[i];
    if (local.name == name) {
      if (local.depth == -1) error("Can't read local variable in its own initializer.");
      return i;
    }
  }
  return -1;
}

int Compiler::add_upvalue(FunctionState* fs, uint8_t index, bool is_local) {
  auto& upvalues = fs->upvalues;
  for (size_t i = 0; i < upvalues.size(); ++i) {
    if (upvalues[i].index == index && upvalues[i].is_local == is_local) return static_cast<int>(i);
  }
  if (upvalues.size() >= kMaxUpvalues) {
    error("Too many closure variables in function.");
    return 0;
  }
  upvalues.push_back(UpvalueRef{index, is_local});
  return static_cast<int>(upvalues.size() - 1);
}

int Compiler::resolve_upvalue(FunctionState* fs, std::string_view name) {
  if (fs->enclosing == nullptr) return -1;
  int local = resolve_local(fs->enclosing, name);
  if (local != -1) {
    fs->enclosing->locals[local].captured = true;
    return add_upvalue(fs, static_cast<uint8_t>(local), true);
  }
  int upvalue = resolve_upvalue(fs->enclosing, name);
  if (upvalue != -1) return add_upvalue(fs, static_cast<uint8_t>(upvalue), false);
  return -1;
}

void Compiler::named_variable(std::string_view name, bool can_assign) {
  Op get_op;
  Op set_op;
  int arg = resolve_local(fs_, name);
  bool wide = false;
  if (arg != -1) {
    get_op = Op::kGetLocal;
    set_op = Op::kSetLocal;
  } else if ((arg = resolve_upvalue(fs_, name)) != -1) {
    get_op = Op::kGetUpvalue;
    set_op = Op::kSetUpvalue;
  } else {
    arg = global_slot(name);
    get_op = Op::kGetGlobal;
    set_op = Op::kSetGlobal;
    wide = true;
  }
  Op op = get_op;
  if (can_assign && match(TokenType::kEqual)) {
    expression();
    op = set_op;
  }
  if (wide) {
    emit_op_short(op, arg);
  } else {
    emit_op_arg(op, static_cast<uint8_t>(arg));
  }
}

uint8_t Compiler::argument_list() {
  int count = 0;
  if (!check(TokenType::kRightParen)) {
    do {
      expression();
      if (count == kMaxArguments) error("Can't have more than 255 arguments.");
      ++count;
    } while (match(TokenType::kComma));
  }
  consume(TokenType::kRightParen, "Expect ')' after arguments.");
  return static_cast<uint8_t>(count > kMaxArguments ? kMaxArguments : count);
}

// ---------------------------------------------------------------------------------------------
// Expressions

void Compiler::parse_precedence(Precedence precedence) {
  Nesting nesting(*this);
  if (nesting.too_deep("Expression nesting too deep.")) return;
  advance();
  ParseFn prefix = rule_for(previous_.type)->prefix;
  if (prefix == nullptr) {
    error("Expect expression.");
    return;
  }
  bool can_assign = precedence <= Precedence::kAssignment;
  (this->*prefix)(can_assign);
  while (precedence <= rule_for(current_.type)->precedence) {
    advance();
    (this->*rule_for(previous_.type)->infix)(can_assign);
  }
  if (can_assign && match(TokenType::kEqual)) error("Invalid assignment target.");
}

void Compiler::grouping(bool) {
  expression();
  consume(TokenType::kRightParen, "Expect ')' after expression.");
}

void Compiler::call(bool) {
  uint8_t argc = argument_list();
  emit_op_arg(Op::kCall, argc);
  adjust_stack(-argc);
}

void Compiler::dot(bool can_assign) {
  consume(TokenType::kIdentifier, "Expect property name after '.'.");
  uint8_t name = identifier_constant(previous_.text);
  fs_->uses_caches = true;
  if (can_assign && match(TokenType::kEqual)) {
    if (last_is_this()) {
      drop_last_instruction();
      expression();
      emit_op_arg(Op::kSetThisProperty, name);
    } else {
      expression();
      emit_op_arg(Op::kSetProperty, name);
    }
  } else if (match(TokenType::kLeftParen)) {
    uint8_t argc = argument_list();
    emit_op_arg(Op::kInvoke, name);
    emit_byte(argc);
    adjust_stack(-argc);
  } else if (last_is_this()) {
    drop_last_instruction();
    emit_op_arg(Op::kGetThisProperty, name);
  } else {
    emit_op_arg(Op::kGetProperty, name);
  }
}

void Compiler::unary(bool) {
  TokenType op = previous_.type;
  parse_precedence(Precedence::kUnary);
  emit_op(op == TokenType::kMinus ? Op::kNegate : Op::kNot);
}

void Compiler::binary(bool) {
  TokenType op = previous_.type;
  const ParseRule* rule = rule_for(op);
  parse_precedence(static_cast<Precedence>(static_cast<int>(rule->precedence) + 1));
  Op plain;
  Op with_constant;
  switch (op) {
    case TokenType::kBangEqual:
      plain = Op::kNotEqual;
      with_constant = Op::kNotEqualK;
      break;
    case TokenType::kEqualEqual:
      plain = Op::kEqual;
      with_constant = Op::kEqualK;
      break;
    case TokenType::kGreater:
      plain = Op::kGreater;
      with_constant = Op::kGreaterK;
      break;
    case TokenType::kGreaterEqual:
      plain = Op::kGreaterEqual;
      with_constant = Op::kGreaterEqualK;
      break;
    case TokenType::kLess:
      plain = Op::kLess;
      with_constant = Op::kLessK;
      break;
    case TokenType::kLessEqual:
      plain = Op::kLessEqual;
      with_constant = Op::kLessEqualK;
      break;
    case TokenType::kPlus:
      plain = Op::kAdd;
      with_constant = Op::kAddK;
      break;
    case TokenType::kMinus:
      plain = Op::kSubtract;
      with_constant = Op::kSubtractK;
      break;
    case TokenType::kStar:
      plain = Op::kMultiply;
      with_constant = Op::kMultiplyK;
      break;
    case TokenType::kSlash:
      plain = Op::kDivide;
      with_constant = Op::kDivideK;
      break;
    default:
      return;  // unreachable: only binary operators have this rule
  }
  // `x < 2`: CONSTANT k; LESS  ->  LESS_K k.
  if (last_is(Op::kConstant)) {
    uint8_t constant = chunk().code[fs_->last_op + 1];
    drop_last_instruction();
    emit_op_arg(with_constant, constant);
    return;
  }
  emit_op(plain);
}

void Compiler::variable(bool can_assign) {
  named_variable(previous_.text, can_assign);
}

void Compiler::string(bool) {
  std::string_view text = previous_.text;
  if (text.size() - 2 > kMaxStringLiteral) {
    error("String literal too long.");
    return;
  }
  emit_constant(Value::object(heap_.intern(text.substr(1, text.size() - 2))));
}

void Compiler::number(bool) {
  // strtod rather than from_chars: a literal too large for a double must read as infinity (and a
  // tiny one as zero), where from_chars reports "out of range" and leaves no value.
  std::string text(previous_.text);
  emit_constant(Value::number(std::strtod(text.c_str(), nullptr)));
}

void Compiler::and_(bool) {
  size_t end_jump = emit_jump(Op::kJumpIfFalse);
  emit_op(Op::kPop);
  parse_precedence(Precedence::kAnd);
  patch_jump(end_jump);
}

void Compiler::or_(bool) {
  size_t else_jump = emit_jump(Op::kJumpIfFalse);
  size_t end_jump = emit_jump(Op::kJump);
  patch_jump(else_jump);
  emit_op(Op::kPop);
  parse_precedence(Precedence::kOr);
  patch_jump(end_jump);
}

void Compiler::literal(bool) {
  switch (previous_.type) {
    case TokenType::kFalse:
      emit_op(Op::kFalse);
      break;
    case TokenType::kNil:
      emit_op(Op::kNil);
      break;
    case TokenType::kTrue:
      emit_op(Op::kTrue);
      break;
    default:
      break;  // unreachable
  }
}

void Compiler::super_(bool) {
  if (cs_ == nullptr) {
    error("Can't use 'super' outside of a class.");
  } else if (!cs_->has_superclass) {
    error("Can't use 'super' in a class with no superclass.");
  }
  consume(TokenType::kDot, "Expect '.' after 'super'.");
  consume(TokenType::kIdentifier, "Expect superclass method name.");
  uint8_t name = identifier_constant(previous_.text);
  fs_->uses_caches = true;
  named_variable("this", false);
  if (match(TokenType::kLeftParen)) {
    uint8_t argc = argument_list();
    named_variable("super", false);
    emit_op_arg(Op::kSuperInvoke, name);
    emit_byte(argc);
    adjust_stack(-argc);
  } else {
    named_variable("super", false);
    emit_op_arg(Op::kGetSuper, name);
  }
}

void Compiler::this_(bool) {
  if (cs_ == nullptr) {
    error("Can't use 'this' outside of a class.");
    return;
  }
  variable(false);
}

// ---------------------------------------------------------------------------------------------
// Declarations and statements

void Compiler::declaration() {
  Nesting nesting(*this);
  if (nesting.too_deep("Statement nesting too deep.")) return;
  if (match(TokenType::kClass)) {
    class_declaration();
  } else if (match(TokenType::kFun)) {
    fun_declaration();
  } else if (match(TokenType::kVar)) {
    var_declaration();
  } else {
    statement();
  }
  if (panic_mode_) synchronize();
}

void Compiler::class_declaration() {
  consume(TokenType::kIdentifier, "Expect class name.");
  std::string_view class_name = previous_.text;
  uint8_t name_constant = identifier_constant(class_name);
  declare_variable();
  int global = fs_->scope_depth > 0 ? 0 : global_slot(class_name);
  emit_op_arg(Op::kClass, name_constant);
  define_variable(global);

  ClassState class_state;
  class_state.enclosing = cs_;
  cs_ = &class_state;

  if (match(TokenType::kLess)) {
    consume(TokenType::kIdentifier, "Expect superclass name.");
    variable(false);
    if (class_name == previous_.text) error("A class can't inherit from itself.");
    begin_scope();
    add_local("super");
    define_variable(0);
    named_variable(class_name, false);
    emit_op(Op::kInherit);
    class_state.has_superclass = true;
  }

  named_variable(class_name, false);
  consume(TokenType::kLeftBrace, "Expect '{' before class body.");
  while (!check(TokenType::kRightBrace) && !check(TokenType::kEof)) method();
  consume(TokenType::kRightBrace, "Expect '}' after class body.");
  emit_op(Op::kPop);

  if (class_state.has_superclass) end_scope();
  cs_ = cs_->enclosing;
}

void Compiler::method() {
  consume(TokenType::kIdentifier, "Expect method name.");
  uint8_t constant = identifier_constant(previous_.text);
  FunctionKind kind = previous_.text == "init" ? FunctionKind::kInitializer : FunctionKind::kMethod;
  function(kind);
  emit_op_arg(Op::kMethod, constant);
}

void Compiler::fun_declaration() {
  int global = parse_variable("Expect function name.");
  mark_initialized();  // a function may refer to itself
  function(FunctionKind::kFunction);
  define_variable(global);
}

void Compiler::function(FunctionKind kind) {
  // Heap-allocated: 256 locals per level would otherwise put kilobytes on the C++ stack.
  auto state = std::make_unique<FunctionState>();
  begin_function(state.get(), kind);
  begin_scope();

  consume(TokenType::kLeftParen, "Expect '(' after function name.");
  if (!check(TokenType::kRightParen)) {
    do {
      ++fs_->function->arity;
      if (fs_->function->arity > kMaxArguments) {
        error_at_current("Can't have more than 255 parameters.");
      }
      int constant = parse_variable("Expect parameter name.");
      define_variable(constant);
      adjust_stack(1);  // the argument occupies the parameter's slot
    } while (match(TokenType::kComma));
  }
  consume(TokenType::kRightParen, "Expect ')' after parameters.");
  consume(TokenType::kLeftBrace, "Expect '{' before function body.");
  block();

  std::vector<UpvalueRef> upvalues = fs_->upvalues;
  Function* function = end_function();
  emit_op_arg(Op::kClosure, make_constant(Value::object(function)));
  for (const UpvalueRef& upvalue : upvalues) {
    emit_byte(upvalue.is_local ? 1 : 0);
    emit_byte(upvalue.index);
  }
}

void Compiler::var_declaration() {
  int global = parse_variable("Expect variable name.");
  if (match(TokenType::kEqual)) {
    expression();
  } else {
    emit_op(Op::kNil);
  }
  consume(TokenType::kSemicolon, "Expect ';' after variable declaration.");
  define_variable(global);
}

void Compiler::statement() {
  Nesting nesting(*this);
  if (nesting.too_deep("Statement nesting too deep.")) return;
  if (match(TokenType::kPrint)) {
    print_statement();
  } else if (match(TokenType::kFor)) {
    for_statement();
  } else if (match(TokenType::kIf)) {
    if_statement();
  } else if (match(TokenType::kReturn)) {
    return_statement();
  } else if (match(TokenType::kWhile)) {
    while_statement();
  } else if (match(TokenType::kLeftBrace)) {
    begin_scope();
    block();
    end_scope();
  } else {
    expression_statement();
  }
}

void Compiler::print_statement() {
  expression();
  consume(TokenType::kSemicolon, "Expect ';' after value.");
  emit_op(Op::kPrint);
}

void Compiler::expression_statement() {
  expression();
  consume(TokenType::kSemicolon, "Expect ';' after expression.");
  emit_discard();
}

void Compiler::if_statement() {
  consume(TokenType::kLeftParen, "Expect '(' after 'if'.");
  expression();
  consume(TokenType::kRightParen, "Expect ')' after condition.");
  size_t then_jump = emit_jump(Op::kPopJumpIfFalse);
  statement();
  if (match(TokenType::kElse)) {
    size_t else_jump = emit_jump(Op::kJump);
    patch_jump(then_jump);
    statement();
    patch_jump(else_jump);
  } else {
    patch_jump(then_jump);
  }
}

void Compiler::while_statement() {
  size_t loop_start = chunk().code.size();
  fs_->last_target = loop_start;
  consume(TokenType::kLeftParen, "Expect '(' after 'while'.");
  expression();
  consume(TokenType::kRightParen, "Expect ')' after condition.");
  size_t exit_jump = emit_jump(Op::kPopJumpIfFalse);
  statement();
  emit_loop(loop_start);
  patch_jump(exit_jump);
}

void Compiler::for_statement() {
  begin_scope();
  consume(TokenType::kLeftParen, "Expect '(' after 'for'.");
  if (match(TokenType::kSemicolon)) {
    // No initializer.
  } else if (match(TokenType::kVar)) {
    var_declaration();
  } else {
    expression_statement();
  }

  size_t loop_start = chunk().code.size();
  fs_->last_target = loop_start;
  size_t exit_jump = kNoOffset;
  if (!match(TokenType::kSemicolon)) {
    expression();
    consume(TokenType::kSemicolon, "Expect ';' after loop condition.");
    exit_jump = emit_jump(Op::kPopJumpIfFalse);
  }

  if (!match(TokenType::kRightParen)) {
    size_t body_jump = emit_jump(Op::kJump);
    size_t increment_start = chunk().code.size();
    fs_->last_target = increment_start;
    expression();
    emit_discard();
    consume(TokenType::kRightParen, "Expect ')' after for clauses.");
    emit_loop(loop_start);
    loop_start = increment_start;
    patch_jump(body_jump);
  }

  statement();
  emit_loop(loop_start);
  if (exit_jump != kNoOffset) patch_jump(exit_jump);
  end_scope();
}

void Compiler::return_statement() {
  if (fs_->kind == FunctionKind::kScript) error("Can't return from top-level code.");
  if (match(TokenType::kSemicolon)) {
    emit_return();
    return;
  }
  if (fs_->kind == FunctionKind::kInitializer) {
    error("Can't return a value from an initializer.");
  }
  expression();
  consume(TokenType::kSemicolon, "Expect ';' after return value.");
  emit_op(Op::kReturn);
}

void Compiler::block() {
  while (!check(TokenType::kRightBrace) && !check(TokenType::kEof)) declaration();
  consume(TokenType::kRightBrace, "Expect '}' after block.");
}

CompileResult Compiler::run() {
  FunctionState script;
  begin_function(&script, FunctionKind::kScript);
  advance();
  while (!match(TokenType::kEof)) declaration();
  Function* function = end_function();
  CompileResult result;
  if (!had_error_) result.function = function;
  result.errors = std::move(errors_);
  result.incomplete = incomplete_;
  return result;
}

}  // namespace

CompileResult compile(std::string_view source, Heap& heap, Globals& globals) {
  Compiler compiler(source, heap, globals);
  return compiler.run();
}

}  // namespace sfs::lang
