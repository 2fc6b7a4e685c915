// The public API (lang.h): Interpreter wraps a Vm; disassemble() compiles without running.
#include "systems/lang/disassembler.h"
#include "systems/lang/lang.h"
#include "systems/lang/vm.h"

namespace sfs::lang {

int exit_code(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return 0;
    case Outcome::kCompileError:
      return 65;  // EX_DATAERR
    case Outcome::kRuntimeError:
      return 70;  // EX_SOFTWARE
  }
  return 70;
}

Interpreter::Interpreter(const Options& options) : vm_(std::make_unique<Vm>(options)) {}
Interpreter::~Interpreter() = default;

Outcome Interpreter::run(std::string_view source) {
  return vm_->interpret(source);
}

bool Interpreter::needs_more_input(std::string_view source) {
  // Compiling allocates in the VM's heap and may add global names; both are harmless (unused
  // objects are collected, an unused global slot stays undefined).
  CompileResult result = compile(source, vm_->heap(), vm_->globals());
  return result.function == nullptr && result.incomplete;
}

void Interpreter::interrupt() {
  vm_->interrupt();
}

Listing disassemble(std::string_view source) {
  Heap heap;
  Globals globals;
  CompileResult result = compile(source, heap, globals);
  Listing listing;
  if (result.function == nullptr) {
    listing.text = std::move(result.errors);
    return listing;
  }
  // Nothing allocates from here on, so the function needs no root.
  listing.ok = true;
  disassemble_function(*result.function, &globals, &listing.text);
  return listing;
}

}  // namespace sfs::lang
