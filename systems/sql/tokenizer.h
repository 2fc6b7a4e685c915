// The SQL tokenizer: turns statement text into tokens, each with its byte offset so that errors
// can say line:column.
//
// Token kinds follow SQLite's lexical rules: identifiers may be bare, "double-quoted",
// [bracketed] or `backquoted`; strings are 'single-quoted' with '' for a quote; blobs are
// X'hex'; numbers are integers, decimals with optional exponent, or 0x hex integers; parameters
// are ?, ?NNN, :name, @name and $name; comments are -- to end of line and /* ... */. Keywords are
// not a separate kind: a bare identifier is checked against the keyword table (SQLite lets most
// keywords serve as names too, and the parser decides by context).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sfs::sql {

enum class TokenKind : uint8_t {
  kEof,
  kIdentifier,        // bare word (may be a keyword)
  kQuotedIdentifier,  // "x", [x], `x` (text holds the unquoted name)
  kString,            // 'x' (text holds the unescaped contents)
  kBlob,              // X'..' (text holds the decoded bytes)
  kInteger,
  kFloat,
  kParameter,         // ?, ?NNN, :name, @name, $name (text holds it as written)
  kOperator,          // punctuation and operators (text holds it)
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string_view raw;  // the token as written in the source
  std::string text;      // the value: unquoted/unescaped where that differs from raw
  uint32_t offset = 0;   // byte offset in the source
  uint16_t keyword = 0;  // keyword id (kw::k...) for a bare identifier that is one, else 0
};

// Keyword ids. Kept in one list so the parser can compare integers instead of strings.
namespace kw {
enum : uint16_t {
  kNone = 0,
#define SFS_SQL_KEYWORD(name) k##name,
#include "systems/sql/keywords.inc"
#undef SFS_SQL_KEYWORD
  kCount
};
}  // namespace kw

// The keyword id of an identifier (case-insensitive), or kw::kNone.
uint16_t keyword_id(std::string_view word);
const char* keyword_name(uint16_t id);

// "line:column" (both from 1) of a byte offset.
std::string line_column(std::string_view source, uint32_t offset);

// Produces tokens one at a time (the parser pulls them, so preparing the first statement of a
// long script does not tokenize the rest). After the last token, next() yields kEof forever.
// Errors: unterminated strings, comments or quoted names, bad blobs, stray characters — with
// line:column.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : src_(source) {}
  core::Status next(Token* out);
  size_t position() const { return position_; }

 private:
  std::string_view src_;
  size_t position_ = 0;
};

// Tokenizes all of `source`; the final token is kEof.
core::Result<std::vector<Token>> tokenize(std::string_view source);

}  // namespace sfs::sql
