// How values print.
#include "systems/lang/value.h"

#include <charconv>
#include <cmath>

#include "systems/lang/object.h"

namespace sfs::lang {

void append_number(std::string* out, double number) {
  char buffer[64];
  if (std::isnan(number)) {
    out->append("nan");
    return;
  }
  if (number == 0 && std::signbit(number)) {
    out->append("-0");
    return;
  }
  // Integers print in full up to 2^53 (beyond it not every integer is representable); other
  // numbers in the shortest form that reads back exactly. clox prints with "%g", which rounds
  // to six digits (10000002 prints as 1e+07); we keep every digit.
  if (std::fabs(number) < 9007199254740992.0 && number == std::trunc(number)) {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(number));
    out->append(buffer, end);
    return;
  }
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  out->append(buffer, end);
}

namespace {

void append_function_name(std::string* out, const Function* function) {
  if (function->name == nullptr) {
    out->append("<script>");
    return;
  }
  out->append("<fn ");
  out->append(function->name->view());
  out->append(">");
}

}  // namespace

void append_value(std::string* out, Value value) {
  if (value.is_number()) {
    append_number(out, value.as_number());
  } else if (value.is_nil()) {
    out->append("nil");
  } else if (value.is_bool()) {
    out->append(value.as_bool() ? "true" : "false");
  } else if (value.is_undefined()) {
    out->append("<undefined>");
  } else {
    Obj* object = value.as_object();
    switch (object->type) {
      case ObjType::kString:
        out->append(static_cast<String*>(object)->view());
        break;
      case ObjType::kFunction:
        append_function_name(out, static_cast<Function*>(object));
        break;
      case ObjType::kNative:
        out->append("<native fn>");
        break;
      case ObjType::kClosure:
        append_function_name(out, static_cast<Closure*>(object)->function);
        break;
      case ObjType::kUpvalue:
        out->append("<upvalue>");
        break;
      case ObjType::kClass:
        out->append(static_cast<Class*>(object)->name->view());
        break;
      case ObjType::kInstance:
        out->append(static_cast<Instance*>(object)->klass->name->view());
        out->append(" instance");
        break;
      case ObjType::kBoundMethod:
        append_function_name(out, static_cast<BoundMethod*>(object)->method->function);
        break;
      case ObjType::kShape:
        out->append("<shape>");
        break;
    }
  }
}

std::string value_to_string(Value value) {
  std::string out;
  append_value(&out, value);
  return out;
}

const char* value_type_name(Value value) {
  if (value.is_number()) return "number";
  if (value.is_nil()) return "nil";
  if (value.is_bool()) return "boolean";
  if (value.is_undefined()) return "undefined";
  switch (value.as_object()->type) {
    case ObjType::kString:
      return "string";
    case ObjType::kFunction:
      return "function";
    case ObjType::kNative:
      return "native function";
    case ObjType::kClosure:
      return "function";
    case ObjType::kUpvalue:
      return "upvalue";
    case ObjType::kClass:
      return "class";
    case ObjType::kInstance:
      return "instance";
    case ObjType::kBoundMethod:
      return "bound method";
    case ObjType::kShape:
      return "shape";
  }
  return "object";
}

}  // namespace sfs::lang
