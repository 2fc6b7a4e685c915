// Scanner: hand-written lexer for Lox (grammar in scanner.h). Keywords are recognised by
// switching on the first letters and comparing the rest, a small hand-built trie, instead of
// looking every identifier up in a hash table.
#include "systems/lang/scanner.h"

namespace sfs::lang {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool Scanner::match(char expected) {
  if (at_end() || source_[current_] != expected) return false;
  ++current_;
  return true;
}

Token Scanner::make(TokenType type) const {
  return Token{type, source_.substr(start_, current_ - start_), line_};
}

Token Scanner::error(std::string_view message) const {
  return Token{TokenType::kError, message, line_};
}

void Scanner::skip_whitespace() {
  for (;;) {
    switch (peek()) {
      case ' ':
      case '\r':
      case '\t':
        ++current_;
        break;
      case '\n':
        ++line_;
        ++current_;
        break;
      case '/':
        if (peek_next() != '/') return;
        while (!at_end() && peek() != '\n') ++current_;
        break;
      default:
        return;
    }
  }
}

Token Scanner::string() {
  while (!at_end() && peek() != '"') {
    if (peek() == '\n') ++line_;
    ++current_;
  }
  if (at_end()) return error("Unterminated string.");
  ++current_;  // the closing quote
  return make(TokenType::kString);
}

Token Scanner::number() {
  while (is_digit(peek())) ++current_;
  if (peek() == '.' && is_digit(peek_next())) {
    ++current_;
    while (is_digit(peek())) ++current_;
  }
  return make(TokenType::kNumber);
}

TokenType Scanner::keyword_type() const {
  std::string_view word = source_.substr(start_, current_ - start_);
  auto rest = [&](size_t from, std::string_view tail, TokenType type) {
    return word.size() == from + tail.size() && word.substr(from) == tail ? type
                                                                          : TokenType::kIdentifier;
  };
  // clang-format off
  switch (word[0]) {
    case 'a': return rest(1, "nd", TokenType::kAnd);
    case 'c': return rest(1, "lass", TokenType::kClass);
    case 'e': return rest(1, "lse", TokenType::kElse);
    case 'f':
      if (word.size() > 1) {
        switch (word[1]) {
          case 'a': return rest(2, "lse", TokenType::kFalse);
          case 'o': return rest(2, "r", TokenType::kFor);
          case 'u': return rest(2, "n", TokenType::kFun);
        }
      }
      break;
    case 'i': return rest(1, "f", TokenType::kIf);
    case 'n': return rest(1, "il", TokenType::kNil);
    case 'o': return rest(1, "r", TokenType::kOr);
    case 'p': return rest(1, "rint", TokenType::kPrint);
    case 'r': return rest(1, "eturn", TokenType::kReturn);
    case 's': return rest(1, "uper", TokenType::kSuper);
    case 't':
      if (word.size() > 1) {
        switch (word[1]) {
          case 'h': return rest(2, "is", TokenType::kThis);
          case 'r': return rest(2, "ue", TokenType::kTrue);
        }
      }
      break;
    case 'v': return rest(1, "ar", TokenType::kVar);
    case 'w': return rest(1, "hile", TokenType::kWhile);
  }
  // clang-format on
  return TokenType::kIdentifier;
}

Token Scanner::identifier() {
  while (is_alpha(peek()) || is_digit(peek())) ++current_;
  return make(keyword_type());
}

Token Scanner::next() {
  skip_whitespace();
  start_ = current_;
  if (at_end()) return make(TokenType::kEof);

  char c = advance();
  if (is_alpha(c)) return identifier();
  if (is_digit(c)) return number();
  switch (c) {
    case '(':
      return make(TokenType::kLeftParen);
    case ')':
      return make(TokenType::kRightParen);
    case '{':
      return make(TokenType::kLeftBrace);
    case '}':
      return make(TokenType::kRightBrace);
    case ';':
      return make(TokenType::kSemicolon);
    case ',':
      return make(TokenType::kComma);
    case '.':
      return make(TokenType::kDot);
    case '-':
      return make(TokenType::kMinus);
    case '+':
      return make(TokenType::kPlus);
    case '/':
      return make(TokenType::kSlash);
    case '*':
      return make(TokenType::kStar);
    case '!':
      return make(match('=') ? TokenType::kBangEqual : TokenType::kBang);
    case '=':
      return make(match('=') ? TokenType::kEqualEqual : TokenType::kEqual);
    case '<':
      return make(match('=') ? TokenType::kLessEqual : TokenType::kLess);
    case '>':
      return make(match('=') ? TokenType::kGreaterEqual : TokenType::kGreater);
    case '"':
      return string();
  }
  return error("Unexpected character.");
}

}  // namespace sfs::lang
