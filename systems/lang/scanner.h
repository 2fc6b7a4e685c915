// Scanner: turns Lox source text into tokens, one at a time, on demand.
//
// The compiler pulls tokens as it needs them (Scanner::next), so the source is never turned into
// a token array: a token is a view into the source plus its type and line. Lexical grammar (from
// Crafting Interpreters, appendix I):
//
//   NUMBER     → DIGIT+ ( "." DIGIT+ )?
//   STRING     → "\"" <any char except "\"">* "\""      (may span lines, no escapes)
//   IDENTIFIER → ALPHA ( ALPHA | DIGIT )*                ALPHA = [a-zA-Z_]
//   comments   → "//" to the end of the line
//
// Errors are tokens too (kError, the message in `text`), so the parser reports them with the
// usual "[line N] Error: message" and recovers like from any other bad token.
#pragma once

#include <string_view>

namespace sfs::lang {

// clang-format off
enum class TokenType : unsigned char {
  // Single-character tokens.
  kLeftParen, kRightParen, kLeftBrace, kRightBrace, kComma, kDot, kMinus, kPlus, kSemicolon,
  kSlash, kStar,
  // One or two character tokens.
  kBang, kBangEqual, kEqual, kEqualEqual, kGreater, kGreaterEqual, kLess, kLessEqual,
  // Literals.
  kIdentifier, kString, kNumber,
  // Keywords.
  kAnd, kClass, kElse, kFalse, kFor, kFun, kIf, kNil, kOr, kPrint, kReturn, kSuper, kThis, kTrue,
  kVar, kWhile,
  kError, kEof,
  kCount,
};
// clang-format on

struct Token {
  TokenType type = TokenType::kEof;
  std::string_view text;  // the lexeme (a string token includes its quotes); the message for kError
  int line = 1;
};

class Scanner {
 public:
  explicit Scanner(std::string_view source) : source_(source) {}

  Token next();

 private:
  bool at_end() const { return current_ == source_.size(); }
  char peek() const { return at_end() ? '\0' : source_[current_]; }
  char peek_next() const { return current_ + 1 >= source_.size() ? '\0' : source_[current_ + 1]; }
  char advance() { return source_[current_++]; }
  bool match(char expected);
  void skip_whitespace();
  Token make(TokenType type) const;
  Token error(std::string_view message) const;
  Token string();
  Token number();
  Token identifier();
  TokenType keyword_type() const;

  std::string_view source_;
  size_t start_ = 0;
  size_t current_ = 0;
  int line_ = 1;
};

}  // namespace sfs::lang
