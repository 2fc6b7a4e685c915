// The disassembler: decodes instructions with the operand formats of kOpInfo (chunk.cc), so a
// new opcode needs no code here unless it has a new operand format.
#include "systems/lang/disassembler.h"

#include <cstdio>

namespace sfs::lang {

namespace {

void append_padded(std::string* out, const char* name) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%-20s", name);
  out->append(buffer);
}

void append_constant(std::string* out, const Chunk& chunk, uint8_t index) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%4d '", index);
  out->append(buffer);
  if (index < chunk.constants.size()) append_value(out, chunk.constants[index]);
  out->append("'");
}

}  // namespace

size_t disassemble_instruction(const Function& function, size_t offset, const Globals* globals,
                               std::string* out) {
  const Chunk& chunk = function.chunk;
  const auto& code = chunk.code;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04zu ", offset);
  out->append(buffer);
  if (offset > 0 && chunk.lines[offset] == chunk.lines[offset - 1]) {
    out->append("   | ");
  } else {
    std::snprintf(buffer, sizeof(buffer), "%4d ", chunk.lines[offset]);
    out->append(buffer);
  }

  uint8_t opcode = code[offset];
  if (opcode >= kOpCount) {
    std::snprintf(buffer, sizeof(buffer), "unknown opcode %d\n", opcode);
    out->append(buffer);
    return offset + 1;
  }
  const OpInfo& info = op_info(static_cast<Op>(opcode));
  append_padded(out, info.name);
  size_t operands = static_cast<size_t>(operand_bytes(info.format));
  if (operands > 0 && offset + operands >= code.size()) {
    out->append(" <truncated>\n");
    return code.size();
  }
  auto byte = [&](size_t i) { return code[offset + 1 + i]; };
  auto u16 = [&]() { return static_cast<int>((byte(0) << 8) | byte(1)); };
  switch (info.format) {
    case OperandFormat::kNone:
      break;
    case OperandFormat::kByte:
      std::snprintf(buffer, sizeof(buffer), "%4d", byte(0));
      out->append(buffer);
      break;
    case OperandFormat::kConstant:
      append_constant(out, chunk, byte(0));
      break;
    case OperandFormat::kGlobal: {
      int slot = u16();
      std::snprintf(buffer, sizeof(buffer), "%4d", slot);
      out->append(buffer);
      if (globals != nullptr && slot < globals->size()) {
        out->append(" '");
        out->append(globals->name(slot)->view());
        out->append("'");
      }
      break;
    }
    case OperandFormat::kJump:
    case OperandFormat::kLoop: {
      int jump = u16();
      long target =
          static_cast<long>(offset) + 3 + (info.format == OperandFormat::kJump ? jump : -jump);
      std::snprintf(buffer, sizeof(buffer), "%4d -> %ld", jump, target);
      out->append(buffer);
      break;
    }
    case OperandFormat::kInvoke: {
      std::snprintf(buffer, sizeof(buffer), "(%d args)", byte(1));
      append_constant(out, chunk, byte(0));
      out->append(" ");
      out->append(buffer);
      break;
    }
    case OperandFormat::kClosure: {
      uint8_t index = byte(0);
      append_constant(out, chunk, index);
      out->append("\n");
      size_t next = offset + 2;
      if (index < chunk.constants.size() &&
          is_obj_type(chunk.constants[index], ObjType::kFunction)) {
        const Function* inner = as_function(chunk.constants[index]);
        for (int i = 0; i < inner->upvalue_count && next + 1 < code.size(); ++i) {
          std::snprintf(buffer, sizeof(buffer), "%04zu    |                     %s %d\n", next,
                        code[next] ? "local" : "upvalue", code[next + 1]);
          out->append(buffer);
          next += 2;
        }
      }
      return next;
    }
  }
  out->append("\n");
  return offset + 1 + operands;
}

void disassemble_function(const Function& function, const Globals* globals, std::string* out) {
  out->append("== ");
  if (function.name == nullptr) {
    out->append("<script>");
  } else {
    out->append("<fn ");
    out->append(function.name->view());
    out->append(">");
  }
  out->append(" ==\n");
  for (size_t offset = 0; offset < function.chunk.code.size();) {
    offset = disassemble_instruction(function, offset, globals, out);
  }
  for (Value constant : function.chunk.constants) {
    if (is_obj_type(constant, ObjType::kFunction)) {
      out->append("\n");
      disassemble_function(*as_function(constant), globals, out);
    }
  }
}

}  // namespace sfs::lang
