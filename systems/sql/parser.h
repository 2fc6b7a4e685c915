// The SQL parser: recursive descent over the token list, precedence climbing for expressions.
//
// Grammar and operator precedence follow SQLite's (lang_expr.html, lowest first):
//
//   OR  <  AND  <  NOT  <  = == != <> IS IN LIKE GLOB BETWEEN  <  < <= > >=
//       <  & | << >>  <  + -  <  * / %  <  ||  <  unary - + ~  <  COLLATE
//
// A syntax error names where it happened and the token found there, as SQLite does:
//   2:14: near "FORM": syntax error
// Nesting is limited (kMaxDepth), so hostile input fails with an error instead of exhausting the
// stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/sql/ast.h"
#include "systems/sql/tokenizer.h"

namespace sfs::sql {

class Parser {
 public:
  static constexpr int kMaxDepth = 400;

  // Tokenizes `sql`; the text must outlive the parser.
  static core::Result<Parser> create(std::string_view sql);

  // The next statement, or nullptr when only whitespace, comments and ';' remain.
  core::Result<StatementPtr> next();
  // Byte offset just past the last statement returned (and its ';').
  size_t offset() const;
  bool at_end();

  // Named parameters in order of first appearance, by index - 1 ("" for plain ?).
  const std::vector<std::string>& parameter_names() const { return parameter_names_; }
  int parameter_count() const { return static_cast<int>(parameter_names_.size()); }

  // Parses a whole string as one expression (used for stored DEFAULT values).
  static core::Result<ExprPtr> parse_expression(std::string_view sql);

 private:
  explicit Parser(std::string_view sql) : sql_(sql), tokenizer_(sql) { tokens_.reserve(16); }
  // Tokenizes the next statement into tokens_: up to and including its ';' (a CREATE TRIGGER's
  // body may hold ';'s; it ends at END ;), followed by an end marker.
  void tokenize_statement();

  const Token& peek(int ahead = 0) const;
  const Token& advance();
  bool at(uint16_t keyword, int ahead = 0) const;
  bool at_op(std::string_view op, int ahead = 0) const;
  bool accept(uint16_t keyword);
  bool accept_op(std::string_view op);
  core::Status expect(uint16_t keyword);
  core::Status expect_op(std::string_view op);
  core::Status syntax_error() const;
  core::Status error_at(const Token& token, const std::string& message) const;
  static bool is_reserved(uint16_t keyword);
  bool is_name_token(const Token& token) const;
  core::Result<std::string> parse_name();
  core::Result<std::string> parse_qualified_name();  // [schema.]name -> name
  core::Result<std::string> parse_type_name();
  core::Result<Conflict> parse_conflict_clause();
  // An optional IF NOT EXISTS (CREATE ...): true when present.
  core::Result<bool> parse_if_not_exists();

  core::Result<StatementPtr> parse_statement();
  core::Result<std::unique_ptr<Select>> parse_select();
  core::Status parse_select_core(SelectCore* core);
  core::Result<std::unique_ptr<FromItem>> parse_from();
  core::Result<std::unique_ptr<FromItem>> parse_table_or_subquery();
  core::Result<StatementPtr> parse_insert(bool replace);
  core::Result<StatementPtr> parse_update();
  core::Result<StatementPtr> parse_delete();
  core::Result<StatementPtr> parse_create();
  core::Result<StatementPtr> parse_create_table(bool temporary);
  core::Status parse_column_def(ColumnDef* column);
  core::Result<std::vector<IndexedColumn>> parse_indexed_columns();
  core::Status skip_foreign_key_clause();
  core::Result<StatementPtr> parse_create_index(bool unique);
  core::Result<StatementPtr> parse_create_view(bool temporary);
  core::Result<StatementPtr> parse_create_trigger(bool temporary);
  core::Result<StatementPtr> parse_drop();
  core::Result<StatementPtr> parse_alter();
  core::Result<StatementPtr> parse_pragma();
  core::Result<std::vector<std::pair<std::vector<std::string>, ExprPtr>>> parse_assignments();

  core::Result<ExprPtr> parse_expr();
  core::Result<ExprPtr> parse_binary(int min_precedence);
  core::Result<ExprPtr> parse_unary();
  core::Result<ExprPtr> parse_primary();
  core::Result<ExprPtr> parse_parameter(const Token& token);

  std::string_view sql_;
  // The tokens of one statement at a time: a long script is tokenized as it is parsed, not all
  // at once. tokens_ never grows while its statement is parsed, so references into it hold.
  Tokenizer tokenizer_;
  std::vector<Token> tokens_;
  core::Status token_error_;
  bool expression_mode_ = false;  // parse_expression(): the whole input is one expression
  size_t pos_ = 0;
  size_t end_offset_ = 0;
  int depth_ = 0;
  std::vector<std::string> parameter_names_;
};

}  // namespace sfs::sql
