// The SQL tokenizer (see tokenizer.h).
#include "systems/sql/tokenizer.h"

#include <cstring>

#include "core/strings.h"

namespace sfs::sql {
namespace {

const char* const kKeywordNames[] = {
    "",
#define SFS_SQL_KEYWORD(name) #name,
#include "systems/sql/keywords.inc"
#undef SFS_SQL_KEYWORD
};

// Keywords in an open-addressing table keyed by a hash of the upper-cased word: the tokenizer
// looks up every identifier, so this avoids building a std::string per lookup.
constexpr size_t kTableSize = 512;

uint32_t word_hash(const char* upper, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint8_t>(upper[i])) * 16777619u;
  return h;
}

struct KeywordTable {
  uint16_t slots[kTableSize] = {};
  uint8_t lengths[kw::kCount] = {};
  KeywordTable() {
    for (uint16_t id = 1; id < kw::kCount; ++id) {
      const char* name = kKeywordNames[id];
      lengths[id] = static_cast<uint8_t>(std::strlen(name));
      size_t at = word_hash(name, lengths[id]) % kTableSize;
      while (slots[at] != 0) at = (at + 1) % kTableSize;
      slots[at] = id;
    }
  }
};

const KeywordTable& keyword_table() {
  static const KeywordTable table;
  return table;
}

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

uint16_t keyword_id(std::string_view word) {
  if (word.size() < 2 || word.size() > 17) return kw::kNone;
  char upper[18];
  uint32_t h = 2166136261u;  // word_hash() of the upper-cased word, computed in the same pass
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper[i] = c;
    h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  }
  static const KeywordTable& table = keyword_table();
  size_t at = h % kTableSize;
  while (uint16_t id = table.slots[at]) {
    if (table.lengths[id] == word.size() &&
        std::memcmp(kKeywordNames[id], upper, word.size()) == 0) {
      return id;
    }
    at = (at + 1) % kTableSize;
  }
  return kw::kNone;
}

const char* keyword_name(uint16_t id) { return id < kw::kCount ? kKeywordNames[id] : ""; }

std::string line_column(std::string_view source, uint32_t offset) {
  int line = 1, column = 1;
  for (uint32_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

core::Status Tokenizer::next(Token* out) {
  std::string_view src = src_;
  size_t& i = position_;
  auto error = [&](size_t at, const std::string& what) {
    return core::Status::invalid_argument(line_column(src, static_cast<uint32_t>(at)) + ": " + what);
  };
  while (i < src.size()) {
    char c = src[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < src.size() && src[i + 1] == '-') {
      while (i < src.size() && src[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      size_t end = src.find("*/", i + 2);
      if (end == std::string_view::npos) {
        i = src.size();  // SQLite accepts an unterminated comment at the end of input
        continue;
      }
      i = end + 2;
      continue;
    }
    // Fill *out in place (its string keeps its storage from token to token).
    Token& token = *out;
    token.kind = TokenKind::kEof;
    token.keyword = 0;
    token.text.clear();
    token.offset = static_cast<uint32_t>(i);
    size_t start = i;
    if ((c == 'x' || c == 'X') && i + 1 < src.size() && src[i + 1] == '\'') {
      size_t j = i + 2;
      std::string bytes;
      while (j < src.size() && src[j] != '\'') ++j;
      if (j >= src.size()) return error(start, "unterminated blob literal");
      std::string_view hex = src.substr(i + 2, j - i - 2);
      if (hex.size() % 2 != 0) return error(start, "malformed blob literal near \"" + std::string(src.substr(start, j + 1 - start)) + "\"");
      for (size_t k = 0; k < hex.size(); k += 2) {
        int hi = core::hex_digit_value(hex[k]), lo = core::hex_digit_value(hex[k + 1]);
        if (hi < 0 || lo < 0) return error(start, "malformed blob literal near \"" + std::string(src.substr(start, j + 1 - start)) + "\"");
        bytes.push_back(static_cast<char>(hi * 16 + lo));
      }
      i = j + 1;
      token.kind = TokenKind::kBlob;
      token.text = std::move(bytes);
    } else if (is_ident_start(static_cast<unsigned char>(c))) {
      while (i < src.size() && is_ident_char(static_cast<unsigned char>(src[i]))) ++i;
      token.kind = TokenKind::kIdentifier;
      token.text.assign(src.data() + start, i - start);
      token.keyword = keyword_id(token.text);
    } else if (is_digit(c) || (c == '.' && i + 1 < src.size() && is_digit(src[i + 1]))) {
      token.kind = TokenKind::kInteger;
      if (c == '0' && i + 1 < src.size() && (src[i + 1] == 'x' || src[i + 1] == 'X') &&
          i + 2 < src.size() && core::hex_digit_value(src[i + 2]) >= 0) {
        i += 2;
        while (i < src.size() && core::hex_digit_value(src[i]) >= 0) ++i;
      } else {
        while (i < src.size() && is_digit(src[i])) ++i;
        if (i < src.size() && src[i] == '.') {
          token.kind = TokenKind::kFloat;
          ++i;
          while (i < src.size() && is_digit(src[i])) ++i;
        }
        if (i < src.size() && (src[i] == 'e' || src[i] == 'E')) {
          size_t j = i + 1;
          if (j < src.size() && (src[j] == '+' || src[j] == '-')) ++j;
          if (j < src.size() && is_digit(src[j])) {
            token.kind = TokenKind::kFloat;
            i = j;
            while (i < src.size() && is_digit(src[i])) ++i;
          }
        }
      }
      if (i < src.size() && is_ident_start(static_cast<unsigned char>(src[i]))) {
        size_t j = i;
        while (j < src.size() && is_ident_char(static_cast<unsigned char>(src[j]))) ++j;
        return error(start, "unrecognized token: \"" + std::string(src.substr(start, j - start)) + "\"");
      }
      token.text.assign(src.data() + start, i - start);
    } else if (c == '\'') {
      std::string text;
      size_t j = i + 1;
      while (true) {
        if (j >= src.size()) return error(start, "unterminated string literal");
        if (src[j] == '\'') {
          if (j + 1 < src.size() && src[j + 1] == '\'') {
            text.push_back('\'');
            j += 2;
            continue;
          }
          break;
        }
        text.push_back(src[j++]);
      }
      i = j + 1;
      token.kind = TokenKind::kString;
      token.text = std::move(text);
    } else if (c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      std::string text;
      size_t j = i + 1;
      while (true) {
        if (j >= src.size()) return error(start, "unterminated quoted identifier");
        if (src[j] == close) {
          if (close != ']' && j + 1 < src.size() && src[j + 1] == close) {
            text.push_back(close);
            j += 2;
            continue;
          }
          break;
        }
        text.push_back(src[j++]);
      }
      i = j + 1;
      token.kind = TokenKind::kQuotedIdentifier;
      token.text = std::move(text);
    } else if (c == '?') {
      ++i;
      while (i < src.size() && is_digit(src[i])) ++i;
      token.kind = TokenKind::kParameter;
      token.text.assign(src.data() + start, i - start);
    } else if ((c == ':' || c == '@' || c == '$') && i + 1 < src.size() &&
               is_ident_char(static_cast<unsigned char>(src[i + 1]))) {
      ++i;
      while (i < src.size() && is_ident_char(static_cast<unsigned char>(src[i]))) ++i;
      token.kind = TokenKind::kParameter;
      token.text.assign(src.data() + start, i - start);
    } else {
      static const char* const kTwoChar[] = {"||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->"};
      token.kind = TokenKind::kOperator;
      size_t length = 0;
      if (i + 1 < src.size()) {
        for (const char* op : kTwoChar) {
          if (src[i] == op[0] && src[i + 1] == op[1]) {
            length = 2;
            break;
          }
        }
      }
      if (length == 0) {
        if (std::string_view("(),;.+-*/%=<>&|~").find(c) == std::string_view::npos) {
          return error(start, "unrecognized token: \"" + std::string(1, c) + "\"");
        }
        length = 1;
      }
      i += length;
      token.text.assign(src.data() + start, length);
    }
    token.raw = src.substr(start, i - start);
    return core::Status::ok();
  }
  Token eof;
  eof.kind = TokenKind::kEof;
  eof.offset = static_cast<uint32_t>(src.size());
  *out = std::move(eof);
  return core::Status::ok();
}

core::Result<std::vector<Token>> tokenize(std::string_view src) {
  std::vector<Token> tokens;
  tokens.reserve(src.size() / 4 + 4);
  Tokenizer tokenizer(src);
  while (true) {
    Token token;
    SFS_TRY(tokenizer.next(&token));
    bool end = token.kind == TokenKind::kEof;
    tokens.push_back(std::move(token));
    if (end) return tokens;
  }
}

}  // namespace sfs::sql
