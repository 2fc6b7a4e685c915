// libFuzzer harness for the SQL tokenizer and parser: any bytes must give statements or an
// error with a position — never a crash, a hang, or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "systems/sql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto parser = sfs::sql::Parser::create(sql);
  if (!parser.is_ok()) return 0;
  for (int i = 0; i < 64; ++i) {
    auto statement = parser->next();
    if (!statement.is_ok() || *statement == nullptr) break;
    // Deep copies must work on anything the parser accepts.
    if ((*statement)->kind == sfs::sql::StatementKind::kSelect) {
      auto* select = static_cast<sfs::sql::SelectStatement*>(statement->get());
      auto copy = select->select->clone();
      (void)copy;
    }
  }
  return 0;
}
