// The SQL parser (see parser.h).
#include "systems/sql/parser.h"

#include <cstdlib>

#include "core/strings.h"

namespace sfs::sql {

using core::Result;
using core::Status;

namespace {


ExprPtr make_expr(ExprKind kind, uint32_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

}  // namespace

// Keywords that can never be a bare identifier (everything else may name a table or column,
// as in SQLite where most keywords fall back to identifiers).
bool Parser::is_reserved(uint16_t keyword) {
  switch (keyword) {
    case kw::kALL: case kw::kALTER: case kw::kAND: case kw::kAS: case kw::kBETWEEN:
    case kw::kCASE: case kw::kCHECK: case kw::kCOLLATE: case kw::kCONSTRAINT:
    case kw::kCREATE: case kw::kCROSS: case kw::kDEFAULT: case kw::kDELETE: case kw::kDISTINCT:
    case kw::kDROP: case kw::kELSE: case kw::kESCAPE: case kw::kEXCEPT: case kw::kEXISTS:
    case kw::kFOREIGN: case kw::kFROM: case kw::kFULL: case kw::kGROUP: case kw::kHAVING:
    case kw::kIN: case kw::kINDEX: case kw::kINNER: case kw::kINSERT: case kw::kINTERSECT:
    case kw::kINTO: case kw::kIS: case kw::kISNULL: case kw::kJOIN: case kw::kLEFT:
    case kw::kLIMIT: case kw::kNATURAL: case kw::kNOT: case kw::kNOTNULL: case kw::kNULL:
    case kw::kON: case kw::kOR: case kw::kORDER: case kw::kOUTER: case kw::kPRIMARY:
    case kw::kREFERENCES: case kw::kRIGHT: case kw::kSELECT: case kw::kSET: case kw::kTABLE:
    case kw::kTHEN: case kw::kTO: case kw::kUNION: case kw::kUNIQUE: case kw::kUPDATE:
    case kw::kUSING: case kw::kVALUES: case kw::kWHEN: case kw::kWHERE:
      return true;
    default:
      return false;
  }
}

// ---- token helpers ---------------------------------------------------------------------------

Result<Parser> Parser::create(std::string_view sql) { return Parser(sql); }

void Parser::tokenize_statement() {
  tokens_.clear();
  pos_ = 0;
  bool in_trigger = false, body = false;
  while (true) {
    size_t n = tokens_.size();
    Token& token = tokens_.emplace_back();
    core::Status status = tokenizer_.next(&token);
    if (!status.is_ok()) {
      // A bad token ends the input; next() reports the tokenizer's error.
      if (token_error_.is_ok()) token_error_ = status;
      token = Token();
      token.kind = TokenKind::kEof;
      token.offset = static_cast<uint32_t>(tokenizer_.position());
    }
    TokenKind kind = token.kind;
    uint16_t keyword = kind == TokenKind::kIdentifier ? token.keyword : 0;
    bool semicolon = kind == TokenKind::kOperator && token.text == ";";
    if (keyword == kw::kTRIGGER && n >= 1 && tokens_[0].keyword == kw::kCREATE) in_trigger = true;
    if (in_trigger && keyword == kw::kBEGIN) body = true;
    bool ends = semicolon && !expression_mode_ &&
                (!body || (n >= 1 && tokens_[n - 1].keyword == kw::kEND));
    if (kind == TokenKind::kEof) return;
    if (ends) break;
  }
  Token end;
  end.kind = TokenKind::kEof;
  end.offset = static_cast<uint32_t>(tokenizer_.position());
  tokens_.push_back(std::move(end));
}

const Token& Parser::peek(int ahead) const {
  size_t i = pos_ + static_cast<size_t>(ahead);
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

const Token& Parser::advance() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::at(uint16_t keyword, int ahead) const {
  const Token& t = peek(ahead);
  return t.kind == TokenKind::kIdentifier && t.keyword == keyword;
}

bool Parser::at_op(std::string_view op, int ahead) const {
  const Token& t = peek(ahead);
  return t.kind == TokenKind::kOperator && t.text == op;
}

bool Parser::accept(uint16_t keyword) {
  if (!at(keyword)) return false;
  advance();
  return true;
}

Result<bool> Parser::parse_if_not_exists() {
  if (!accept(kw::kIF)) return false;
  SFS_TRY(expect(kw::kNOT));
  SFS_TRY(expect(kw::kEXISTS));
  return true;
}

bool Parser::accept_op(std::string_view op) {
  if (!at_op(op)) return false;
  advance();
  return true;
}

Status Parser::error_at(const Token& token, const std::string& message) const {
  return Status::invalid_argument(line_column(sql_, token.offset) + ": " + message);
}

Status Parser::syntax_error() const {
  const Token& t = peek();
  if (t.kind == TokenKind::kEof) return error_at(t, "incomplete input");
  return error_at(t, "near \"" + std::string(t.raw) + "\": syntax error");
}

Status Parser::expect(uint16_t keyword) {
  if (accept(keyword)) return Status::ok();
  return syntax_error();
}

Status Parser::expect_op(std::string_view op) {
  if (accept_op(op)) return Status::ok();
  return syntax_error();
}

bool Parser::is_name_token(const Token& t) const {
  if (t.kind == TokenKind::kQuotedIdentifier) return true;
  return t.kind == TokenKind::kIdentifier && !is_reserved(t.keyword);
}

Result<std::string> Parser::parse_name() {
  const Token& t = peek();
  if (is_name_token(t) || t.kind == TokenKind::kString) return advance().text;
  return syntax_error();
}

Result<std::string> Parser::parse_qualified_name() {
  SFS_ASSIGN_OR_RETURN(std::string name, parse_name());
  if (at_op(".")) {
    advance();
    // schema.name: only "main" (and "temp") exist.
    SFS_ASSIGN_OR_RETURN(name, parse_name());
  }
  return name;
}

Result<std::string> Parser::parse_type_name() {
  std::string type;
  while (peek().kind == TokenKind::kIdentifier && !is_reserved(peek().keyword) &&
         !at(kw::kCONSTRAINT) && !at(kw::kDEFAULT) && !at(kw::kCOLLATE) &&
         !at(kw::kREFERENCES) && !at(kw::kAUTOINCREMENT) && !at(kw::kKEY)) {
    if (!type.empty()) type += ' ';
    type += advance().text;
  }
  if (!type.empty() && at_op("(")) {
    size_t start = peek().offset;
    advance();
    int depth = 1;
    while (depth > 0) {
      if (peek().kind == TokenKind::kEof) return syntax_error();
      if (at_op("(")) ++depth;
      if (at_op(")")) --depth;
      advance();
    }
    type += std::string(sql_.substr(start, tokens_[pos_ - 1].offset + 1 - start));
  }
  return type;
}

Result<Conflict> Parser::parse_conflict_clause() {
  if (!at(kw::kON) || !at(kw::kCONFLICT, 1)) return Conflict::kDefault;
  advance();
  advance();
  if (accept(kw::kROLLBACK)) return Conflict::kRollback;
  if (accept(kw::kABORT)) return Conflict::kAbort;
  if (accept(kw::kFAIL)) return Conflict::kFail;
  if (accept(kw::kIGNORE)) return Conflict::kIgnore;
  if (accept(kw::kREPLACE)) return Conflict::kReplace;
  return syntax_error();
}

// ---- statements ------------------------------------------------------------------------------

size_t Parser::offset() const { return end_offset_; }

bool Parser::at_end() {
  return tokenizer_.position() >= sql_.size() && (tokens_.empty() || peek().kind == TokenKind::kEof);
}

Result<StatementPtr> Parser::next() {
  // Skip empty statements (lone ';').
  do {
    if (!token_error_.is_ok()) return token_error_;
    tokenize_statement();
  } while (tokens_.size() == 2 && at_op(";"));
  if (!token_error_.is_ok()) return token_error_;
  if (peek().kind == TokenKind::kEof) {
    end_offset_ = sql_.size();
    return StatementPtr();
  }
  const Token& first = peek();
  uint32_t start = first.offset;
  depth_ = 0;
  auto parsed = parse_statement();
  if (!token_error_.is_ok()) return token_error_;
  if (!parsed.is_ok()) return parsed.status();
  StatementPtr statement = std::move(*parsed);
  if (!at_op(";") && peek().kind != TokenKind::kEof) return syntax_error();
  if (!token_error_.is_ok()) return token_error_;
  const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
  uint32_t end = last.offset + static_cast<uint32_t>(last.raw.size());
  if (end < start) end = start;
  statement->offset = start;
  statement->text = std::string(sql_.substr(start, end - start));
  if (at_op(";")) advance();
  end_offset_ = tokenizer_.position();
  return statement;
}

Result<ExprPtr> Parser::parse_expression(std::string_view sql) {
  SFS_ASSIGN_OR_RETURN(Parser parser, create(sql));
  parser.expression_mode_ = true;
  parser.tokenize_statement();
  auto expr = parser.parse_expr();
  if (!parser.token_error_.is_ok()) return parser.token_error_;
  if (!expr.is_ok()) return expr.status();
  if (parser.peek().kind != TokenKind::kEof) return parser.syntax_error();
  return std::move(*expr);
}

Result<StatementPtr> Parser::parse_statement() {
  const Token& t = peek();
  if (t.kind != TokenKind::kIdentifier) {
    if (at_op("(")) {
      auto statement = std::make_unique<SelectStatement>();
      SFS_ASSIGN_OR_RETURN(statement->select, parse_select());
      return StatementPtr(std::move(statement));
    }
    return syntax_error();
  }
  switch (t.keyword) {
    case kw::kSELECT:
    case kw::kVALUES:
    case kw::kWITH: {
      // WITH ... may also introduce INSERT/UPDATE/DELETE; only SELECT is supported there.
      auto statement = std::make_unique<SelectStatement>();
      SFS_ASSIGN_OR_RETURN(statement->select, parse_select());
      return StatementPtr(std::move(statement));
    }
    case kw::kINSERT:
      advance();
      return parse_insert(false);
    case kw::kREPLACE:
      advance();
      return parse_insert(true);
    case kw::kUPDATE:
      advance();
      return parse_update();
    case kw::kDELETE:
      advance();
      return parse_delete();
    case kw::kCREATE:
      advance();
      return parse_create();
    case kw::kDROP:
      advance();
      return parse_drop();
    case kw::kALTER:
      advance();
      return parse_alter();
    case kw::kPRAGMA:
      advance();
      return parse_pragma();
    case kw::kEXPLAIN: {
      advance();
      auto statement = std::make_unique<ExplainStatement>();
      if (accept(kw::kQUERY)) {
        SFS_TRY(expect(kw::kPLAN));
        statement->query_plan = true;
      }
      SFS_ASSIGN_OR_RETURN(statement->statement, parse_statement());
      return StatementPtr(std::move(statement));
    }
    case kw::kBEGIN: {
      advance();
      auto statement = std::make_unique<TransactionStatement>();
      statement->action = TransactionStatement::Action::kBegin;
      if (accept(kw::kDEFERRED)) {
        statement->mode = TransactionStatement::Mode::kDeferred;
      } else if (accept(kw::kIMMEDIATE)) {
        statement->mode = TransactionStatement::Mode::kImmediate;
      } else if (accept(kw::kEXCLUSIVE)) {
        statement->mode = TransactionStatement::Mode::kExclusive;
      }
      if (accept(kw::kTRANSACTION) && is_name_token(peek())) advance();
      return StatementPtr(std::move(statement));
    }
    case kw::kCOMMIT:
    case kw::kEND: {
      advance();
      auto statement = std::make_unique<TransactionStatement>();
      statement->action = TransactionStatement::Action::kCommit;
      accept(kw::kTRANSACTION);
      return StatementPtr(std::move(statement));
    }
    case kw::kROLLBACK: {
      advance();
      auto statement = std::make_unique<TransactionStatement>();
      statement->action = TransactionStatement::Action::kRollback;
      accept(kw::kTRANSACTION);
      if (accept(kw::kTO)) {
        accept(kw::kSAVEPOINT);
        statement->action = TransactionStatement::Action::kRollbackTo;
        SFS_ASSIGN_OR_RETURN(statement->name, parse_name());
      }
      return StatementPtr(std::move(statement));
    }
    case kw::kSAVEPOINT: {
      advance();
      auto statement = std::make_unique<TransactionStatement>();
      statement->action = TransactionStatement::Action::kSavepoint;
      SFS_ASSIGN_OR_RETURN(statement->name, parse_name());
      return StatementPtr(std::move(statement));
    }
    case kw::kRELEASE: {
      advance();
      auto statement = std::make_unique<TransactionStatement>();
      statement->action = TransactionStatement::Action::kRelease;
      accept(kw::kSAVEPOINT);
      SFS_ASSIGN_OR_RETURN(statement->name, parse_name());
      return StatementPtr(std::move(statement));
    }
    case kw::kANALYZE:
    case kw::kREINDEX: {
      StatementKind kind =
          t.keyword == kw::kANALYZE ? StatementKind::kAnalyze : StatementKind::kReindex;
      advance();
      auto statement = std::make_unique<NameStatement>(kind);
      if (is_name_token(peek())) {
        SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
      }
      return StatementPtr(std::move(statement));
    }
    case kw::kVACUUM: {
      advance();
      auto statement = std::make_unique<NameStatement>(StatementKind::kVacuum);
      if (is_name_token(peek())) {
        SFS_ASSIGN_OR_RETURN(statement->name, parse_name());
      }
      return StatementPtr(std::move(statement));
    }
    default:
      return syntax_error();
  }
}

// ---- SELECT ----------------------------------------------------------------------------------

Result<std::unique_ptr<Select>> Parser::parse_select() {
  if (++depth_ > kMaxDepth) return error_at(peek(), "statement too deeply nested");
  auto select = std::make_unique<Select>();
  select->offset = peek().offset;
  if (accept(kw::kWITH)) {
    select->recursive = accept(kw::kRECURSIVE);
    do {
      CommonTable cte;
      SFS_ASSIGN_OR_RETURN(cte.name, parse_name());
      if (accept_op("(")) {
        do {
          SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
          cte.columns.push_back(std::move(column));
        } while (accept_op(","));
        SFS_TRY(expect_op(")"));
      }
      SFS_TRY(expect(kw::kAS));
      if (accept(kw::kNOT)) {  // [NOT] MATERIALIZED: a hint, ignored
        SFS_TRY(expect(kw::kMATERIALIZED));
      } else {
        accept(kw::kMATERIALIZED);
      }
      SFS_TRY(expect_op("("));
      SFS_ASSIGN_OR_RETURN(cte.select, parse_select());
      SFS_TRY(expect_op(")"));
      select->with.push_back(std::move(cte));
    } while (accept_op(","));
  }
  while (true) {
    SelectCore core;
    if (accept_op("(")) {
      // A parenthesized select as a compound member (an SQLite extension) is not allowed;
      // SQLite rejects it too, so report it the same way.
      return syntax_error();
    }
    SFS_TRY(parse_select_core(&core));
    select->cores.push_back(std::move(core));
    if (accept(kw::kUNION)) {
      select->ops.push_back(accept(kw::kALL) ? CompoundOp::kUnionAll : CompoundOp::kUnion);
    } else if (accept(kw::kINTERSECT)) {
      select->ops.push_back(CompoundOp::kIntersect);
    } else if (accept(kw::kEXCEPT)) {
      select->ops.push_back(CompoundOp::kExcept);
    } else {
      break;
    }
  }
  if (accept(kw::kORDER)) {
    SFS_TRY(expect(kw::kBY));
    do {
      OrderTerm term;
      SFS_ASSIGN_OR_RETURN(term.expr, parse_expr());
      if (accept(kw::kDESC)) {
        term.desc = true;
      } else {
        accept(kw::kASC);
      }
      if (accept(kw::kNULLS)) {
        if (accept(kw::kFIRST)) {
          term.nulls = 1;
        } else {
          SFS_TRY(expect(kw::kLAST));
          term.nulls = 2;
        }
      }
      select->order_by.push_back(std::move(term));
    } while (accept_op(","));
  }
  if (accept(kw::kLIMIT)) {
    SFS_ASSIGN_OR_RETURN(select->limit, parse_expr());
    if (accept(kw::kOFFSET)) {
      SFS_ASSIGN_OR_RETURN(select->offset_expr, parse_expr());
    } else if (accept_op(",")) {
      // LIMIT offset, count
      SFS_ASSIGN_OR_RETURN(ExprPtr count, parse_expr());
      select->offset_expr = std::move(select->limit);
      select->limit = std::move(count);
    }
  }
  --depth_;
  return select;
}

Status Parser::parse_select_core(SelectCore* core) {
  if (accept(kw::kVALUES)) {
    do {
      SFS_TRY(expect_op("("));
      std::vector<ExprPtr> row;
      do {
        SFS_ASSIGN_OR_RETURN(ExprPtr e, parse_expr());
        row.push_back(std::move(e));
      } while (accept_op(","));
      SFS_TRY(expect_op(")"));
      if (!core->values.empty() && core->values[0].size() != row.size()) {
        return error_at(peek(), "all VALUES must have the same number of terms");
      }
      core->values.push_back(std::move(row));
    } while (accept_op(","));
    return Status::ok();
  }
  SFS_TRY(expect(kw::kSELECT));
  if (accept(kw::kDISTINCT)) {
    core->distinct = true;
  } else {
    accept(kw::kALL);
  }
  do {
    ResultColumn column;
    if (at_op("*")) {
      advance();
      column.star = true;
    } else if (is_name_token(peek()) && at_op(".", 1) && at_op("*", 2)) {
      column.star = true;
      column.star_table = advance().text;
      advance();
      advance();
    } else {
      uint32_t start = peek().offset;
      SFS_ASSIGN_OR_RETURN(column.expr, parse_expr());
      const Token& last = tokens_[pos_ - 1];
      column.text = std::string(sql_.substr(start, last.offset + last.raw.size() - start));
      if (accept(kw::kAS)) {
        SFS_ASSIGN_OR_RETURN(column.alias, parse_name());
      } else if (is_name_token(peek()) || peek().kind == TokenKind::kString) {
        column.alias = advance().text;
      }
    }
    core->columns.push_back(std::move(column));
  } while (accept_op(","));
  if (accept(kw::kFROM)) {
    SFS_ASSIGN_OR_RETURN(core->from, parse_from());
  }
  if (accept(kw::kWHERE)) {
    SFS_ASSIGN_OR_RETURN(core->where, parse_expr());
  }
  if (accept(kw::kGROUP)) {
    SFS_TRY(expect(kw::kBY));
    do {
      SFS_ASSIGN_OR_RETURN(ExprPtr e, parse_expr());
      core->group_by.push_back(std::move(e));
    } while (accept_op(","));
  }
  if (accept(kw::kHAVING)) {
    SFS_ASSIGN_OR_RETURN(core->having, parse_expr());
  }
  return Status::ok();
}

Result<std::unique_ptr<FromItem>> Parser::parse_table_or_subquery() {
  if (++depth_ > kMaxDepth) return error_at(peek(), "statement too deeply nested");
  std::unique_ptr<FromItem> item = std::make_unique<FromItem>();
  item->offset = peek().offset;
  if (accept_op("(")) {
    if (at(kw::kSELECT) || at(kw::kVALUES) || at(kw::kWITH)) {
      item->kind = FromItem::Kind::kSubquery;
      SFS_ASSIGN_OR_RETURN(item->subquery, parse_select());
      SFS_TRY(expect_op(")"));
    } else {
      SFS_ASSIGN_OR_RETURN(item, parse_from());
      SFS_TRY(expect_op(")"));
      --depth_;
      return item;
    }
  } else {
    item->kind = FromItem::Kind::kTable;
    SFS_ASSIGN_OR_RETURN(item->name, parse_qualified_name());
    if (at_op("(")) return error_at(peek(), "table-valued functions are not supported");
  }
  if (accept(kw::kAS)) {
    SFS_ASSIGN_OR_RETURN(item->alias, parse_name());
  } else if (is_name_token(peek()) && !at(kw::kINDEXED) && !at(kw::kNATURAL)) {
    item->alias = advance().text;
  }
  if (accept(kw::kINDEXED)) {
    SFS_TRY(expect(kw::kBY));
    SFS_ASSIGN_OR_RETURN(item->indexed_by, parse_name());
  } else if (at(kw::kNOT) && at(kw::kINDEXED, 1)) {
    advance();
    advance();
    item->not_indexed = true;
  }
  --depth_;
  return item;
}

Result<std::unique_ptr<FromItem>> Parser::parse_from() {
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<FromItem> left, parse_table_or_subquery());
  while (true) {
    JoinType type;
    bool natural = false;
    if (accept_op(",")) {
      type = JoinType::kCross;
    } else {
      natural = accept(kw::kNATURAL);
      if (accept(kw::kLEFT)) {
        accept(kw::kOUTER);
        type = JoinType::kLeft;
      } else if (accept(kw::kRIGHT)) {
        accept(kw::kOUTER);
        type = JoinType::kRight;
      } else if (accept(kw::kFULL)) {
        accept(kw::kOUTER);
        type = JoinType::kFull;
      } else if (accept(kw::kINNER)) {
        type = JoinType::kInner;
      } else if (accept(kw::kCROSS)) {
        type = JoinType::kCross;
      } else if (at(kw::kJOIN)) {
        type = JoinType::kInner;
      } else if (natural) {
        return syntax_error();
      } else {
        break;
      }
      SFS_TRY(expect(kw::kJOIN));
    }
    auto join = std::make_unique<FromItem>();
    join->kind = FromItem::Kind::kJoin;
    join->offset = left->offset;
    join->join = type;
    join->natural = natural;
    join->left = std::move(left);
    SFS_ASSIGN_OR_RETURN(join->right, parse_table_or_subquery());
    if (accept(kw::kON)) {
      SFS_ASSIGN_OR_RETURN(join->on, parse_expr());
    } else if (accept(kw::kUSING)) {
      SFS_TRY(expect_op("("));
      do {
        SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
        join->using_columns.push_back(std::move(column));
      } while (accept_op(","));
      SFS_TRY(expect_op(")"));
    }
    left = std::move(join);
  }
  return left;
}

// ---- INSERT / UPDATE / DELETE ----------------------------------------------------------------

Result<StatementPtr> Parser::parse_insert(bool replace) {
  auto statement = std::make_unique<InsertStatement>();
  if (replace) {
    statement->conflict = Conflict::kReplace;
  } else if (accept(kw::kOR)) {
    if (accept(kw::kREPLACE)) {
      statement->conflict = Conflict::kReplace;
    } else if (accept(kw::kIGNORE)) {
      statement->conflict = Conflict::kIgnore;
    } else if (accept(kw::kABORT)) {
      statement->conflict = Conflict::kAbort;
    } else if (accept(kw::kFAIL)) {
      statement->conflict = Conflict::kFail;
    } else if (accept(kw::kROLLBACK)) {
      statement->conflict = Conflict::kRollback;
    } else {
      return syntax_error();
    }
  }
  SFS_TRY(expect(kw::kINTO));
  SFS_ASSIGN_OR_RETURN(statement->table, parse_qualified_name());
  if (accept(kw::kAS)) {
    SFS_ASSIGN_OR_RETURN(statement->alias, parse_name());
  }
  if (accept_op("(")) {
    do {
      SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
      statement->columns.push_back(std::move(column));
    } while (accept_op(","));
    SFS_TRY(expect_op(")"));
  }
  if (accept(kw::kDEFAULT)) {
    SFS_TRY(expect(kw::kVALUES));
    statement->default_values = true;
  } else if (at(kw::kSELECT) || at(kw::kVALUES) || at(kw::kWITH)) {
    SFS_ASSIGN_OR_RETURN(statement->select, parse_select());
  } else {
    return syntax_error();
  }
  while (at(kw::kON) && at(kw::kCONFLICT, 1)) {
    advance();
    advance();
    Upsert upsert;
    if (at_op("(")) {
      SFS_ASSIGN_OR_RETURN(upsert.target, parse_indexed_columns());
      if (accept(kw::kWHERE)) {
        SFS_ASSIGN_OR_RETURN(upsert.target_where, parse_expr());
      }
    }
    SFS_TRY(expect(kw::kDO));
    if (accept(kw::kNOTHING)) {
      upsert.do_nothing = true;
    } else {
      SFS_TRY(expect(kw::kUPDATE));
      SFS_TRY(expect(kw::kSET));
      upsert.do_nothing = false;
      SFS_ASSIGN_OR_RETURN(upsert.assignments, parse_assignments());
      if (accept(kw::kWHERE)) {
        SFS_ASSIGN_OR_RETURN(upsert.where, parse_expr());
      }
    }
    statement->upserts.push_back(std::move(upsert));
  }
  if (at(kw::kRETURNING)) return error_at(peek(), "RETURNING is not supported");
  return StatementPtr(std::move(statement));
}

Result<std::vector<std::pair<std::vector<std::string>, ExprPtr>>> Parser::parse_assignments() {
  std::vector<std::pair<std::vector<std::string>, ExprPtr>> assignments;
  do {
    std::vector<std::string> columns;
    if (accept_op("(")) {
      do {
        SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
        columns.push_back(std::move(column));
      } while (accept_op(","));
      SFS_TRY(expect_op(")"));
    } else {
      SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
      if (accept_op(".")) {
        SFS_ASSIGN_OR_RETURN(column, parse_name());
      }
      columns.push_back(std::move(column));
    }
    SFS_TRY(expect_op("="));
    SFS_ASSIGN_OR_RETURN(ExprPtr value, parse_expr());
    assignments.emplace_back(std::move(columns), std::move(value));
  } while (accept_op(","));
  return assignments;
}

Result<StatementPtr> Parser::parse_update() {
  auto statement = std::make_unique<UpdateStatement>();
  if (accept(kw::kOR)) {
    if (accept(kw::kREPLACE)) {
      statement->conflict = Conflict::kReplace;
    } else if (accept(kw::kIGNORE)) {
      statement->conflict = Conflict::kIgnore;
    } else if (accept(kw::kABORT)) {
      statement->conflict = Conflict::kAbort;
    } else if (accept(kw::kFAIL)) {
      statement->conflict = Conflict::kFail;
    } else if (accept(kw::kROLLBACK)) {
      statement->conflict = Conflict::kRollback;
    } else {
      return syntax_error();
    }
  }
  SFS_ASSIGN_OR_RETURN(statement->table, parse_qualified_name());
  if (accept(kw::kAS)) {
    SFS_ASSIGN_OR_RETURN(statement->alias, parse_name());
  } else if (is_name_token(peek()) && !at(kw::kINDEXED)) {
    statement->alias = advance().text;
  }
  if (accept(kw::kINDEXED)) {
    SFS_TRY(expect(kw::kBY));
    SFS_TRY(parse_name().status());
  } else if (at(kw::kNOT) && at(kw::kINDEXED, 1)) {
    advance();
    advance();
  }
  SFS_TRY(expect(kw::kSET));
  SFS_ASSIGN_OR_RETURN(statement->assignments, parse_assignments());
  if (at(kw::kFROM)) return error_at(peek(), "UPDATE ... FROM is not supported");
  if (accept(kw::kWHERE)) {
    SFS_ASSIGN_OR_RETURN(statement->where, parse_expr());
  }
  if (at(kw::kRETURNING)) return error_at(peek(), "RETURNING is not supported");
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_delete() {
  auto statement = std::make_unique<DeleteStatement>();
  SFS_TRY(expect(kw::kFROM));
  SFS_ASSIGN_OR_RETURN(statement->table, parse_qualified_name());
  if (accept(kw::kAS)) {
    SFS_ASSIGN_OR_RETURN(statement->alias, parse_name());
  } else if (is_name_token(peek()) && !at(kw::kINDEXED)) {
    statement->alias = advance().text;
  }
  if (accept(kw::kINDEXED)) {
    SFS_TRY(expect(kw::kBY));
    SFS_TRY(parse_name().status());
  } else if (at(kw::kNOT) && at(kw::kINDEXED, 1)) {
    advance();
    advance();
  }
  if (accept(kw::kWHERE)) {
    SFS_ASSIGN_OR_RETURN(statement->where, parse_expr());
  }
  if (at(kw::kRETURNING)) return error_at(peek(), "RETURNING is not supported");
  return StatementPtr(std::move(statement));
}

// ---- CREATE / DROP / ALTER -------------------------------------------------------------------

Result<StatementPtr> Parser::parse_create() {
  bool temporary = accept(kw::kTEMP) || accept(kw::kTEMPORARY);
  if (accept(kw::kTABLE)) return parse_create_table(temporary);
  if (accept(kw::kVIEW)) return parse_create_view(temporary);
  if (accept(kw::kTRIGGER)) return parse_create_trigger(temporary);
  if (!temporary) {
    if (accept(kw::kINDEX)) return parse_create_index(false);
    if (accept(kw::kUNIQUE)) {
      SFS_TRY(expect(kw::kINDEX));
      return parse_create_index(true);
    }
  }
  return syntax_error();
}

Result<std::vector<IndexedColumn>> Parser::parse_indexed_columns() {
  SFS_TRY(expect_op("("));
  std::vector<IndexedColumn> columns;
  do {
    IndexedColumn column;
    column.offset = peek().offset;
    if (!is_name_token(peek()) && peek().kind != TokenKind::kString) {
      return error_at(peek(), "indexes on expressions are not supported (near \"" +
                                  std::string(peek().raw) + "\")");
    }
    column.name = advance().text;
    column.end = tokens_[pos_ - 1].offset + static_cast<uint32_t>(tokens_[pos_ - 1].raw.size());
    if (at_op("(") || at_op(".") ||
        (peek().kind == TokenKind::kOperator && !at_op(",") && !at_op(")"))) {
      return error_at(peek(), "indexes on expressions are not supported (near \"" +
                                  std::string(peek().raw) + "\")");
    }
    if (accept(kw::kCOLLATE)) {
      SFS_ASSIGN_OR_RETURN(column.collation, parse_name());
    }
    if (accept(kw::kDESC)) {
      column.desc = true;
    } else {
      accept(kw::kASC);
    }
    columns.push_back(std::move(column));
  } while (accept_op(","));
  SFS_TRY(expect_op(")"));
  return columns;
}

Status Parser::skip_foreign_key_clause() {
  // REFERENCES table [(columns)] [ON DELETE|UPDATE action | MATCH name]* [[NOT] DEFERRABLE ...]
  SFS_TRY(parse_name().status());
  if (accept_op("(")) {
    do {
      SFS_TRY(parse_name().status());
    } while (accept_op(","));
    SFS_TRY(expect_op(")"));
  }
  while (true) {
    if (accept(kw::kON)) {
      if (!accept(kw::kDELETE) && !accept(kw::kUPDATE)) return syntax_error();
      if (accept(kw::kSET)) {
        if (!accept(kw::kNULL) && !accept(kw::kDEFAULT)) return syntax_error();
      } else if (accept(kw::kNO)) {
        SFS_TRY(expect(kw::kACTION));
      } else if (!accept(kw::kCASCADE) && !accept(kw::kRESTRICT)) {
        return syntax_error();
      }
    } else if (accept(kw::kMATCH)) {
      SFS_TRY(parse_name().status());
    } else if (at(kw::kNOT) && at(kw::kDEFERRABLE, 1)) {
      advance();
    } else if (accept(kw::kDEFERRABLE)) {
      if (accept(kw::kINITIALLY)) {
        if (!accept(kw::kDEFERRED) && !accept(kw::kIMMEDIATE)) return syntax_error();
      }
    } else {
      return Status::ok();
    }
  }
}

Status Parser::parse_column_def(ColumnDef* column) {
  column->name_offset = peek().offset;
  SFS_ASSIGN_OR_RETURN(column->name, parse_name());
  column->name_end = tokens_[pos_ - 1].offset + static_cast<uint32_t>(tokens_[pos_ - 1].raw.size());
  column->end_offset = column->name_end;
  struct EndMark {
    Parser* p;
    ColumnDef* c;
    ~EndMark() {
      const Token& last = p->tokens_[p->pos_ > 0 ? p->pos_ - 1 : 0];
      c->end_offset = last.offset + static_cast<uint32_t>(last.raw.size());
    }
  } end_mark{this, column};
  SFS_ASSIGN_OR_RETURN(column->type, parse_type_name());
  while (true) {
    if (accept(kw::kCONSTRAINT)) SFS_TRY(parse_name().status());
    if (accept(kw::kPRIMARY)) {
      SFS_TRY(expect(kw::kKEY));
      column->primary_key = true;
      if (accept(kw::kDESC)) {
        column->pk_desc = true;
      } else {
        accept(kw::kASC);
      }
      SFS_ASSIGN_OR_RETURN(column->pk_conflict, parse_conflict_clause());
      if (accept(kw::kAUTOINCREMENT)) column->autoincrement = true;
    } else if (at(kw::kNOT) && at(kw::kNULL, 1)) {
      advance();
      advance();
      column->not_null = true;
      SFS_ASSIGN_OR_RETURN(column->not_null_conflict, parse_conflict_clause());
    } else if (accept(kw::kNULL)) {
      SFS_TRY(parse_conflict_clause().status());
    } else if (accept(kw::kUNIQUE)) {
      column->unique = true;
      SFS_ASSIGN_OR_RETURN(column->unique_conflict, parse_conflict_clause());
    } else if (accept(kw::kCHECK)) {
      SFS_TRY(expect_op("("));
      SFS_ASSIGN_OR_RETURN(ExprPtr check, parse_expr());
      SFS_TRY(expect_op(")"));
      column->checks.push_back(std::move(check));
    } else if (accept(kw::kDEFAULT)) {
      if (accept_op("(")) {
        SFS_ASSIGN_OR_RETURN(column->default_value, parse_expr());
        SFS_TRY(expect_op(")"));
      } else if (at_op("-") || at_op("+")) {
        SFS_ASSIGN_OR_RETURN(column->default_value, parse_unary());
      } else {
        const Token& t = peek();
        if (t.kind == TokenKind::kIdentifier && !is_reserved(t.keyword) &&
            t.keyword != kw::kCURRENT_TIME && t.keyword != kw::kCURRENT_DATE &&
            t.keyword != kw::kCURRENT_TIMESTAMP) {
          // DEFAULT bareword: a string (SQLite accepts an identifier here).
          column->default_value = make_expr(ExprKind::kLiteral, t.offset);
          column->default_value->value = Value::text(t.text);
          advance();
        } else {
          SFS_ASSIGN_OR_RETURN(column->default_value, parse_primary());
        }
      }
    } else if (accept(kw::kCOLLATE)) {
      SFS_ASSIGN_OR_RETURN(column->collation, parse_name());
    } else if (accept(kw::kREFERENCES)) {
      SFS_TRY(skip_foreign_key_clause());
    } else {
      return Status::ok();
    }
  }
}

Result<StatementPtr> Parser::parse_create_table(bool temporary) {
  auto statement = std::make_unique<CreateTableStatement>();
  statement->temporary = temporary;
  SFS_ASSIGN_OR_RETURN(statement->if_not_exists, parse_if_not_exists());
  statement->name_offset = peek().offset;
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  statement->name_end = tokens_[pos_ - 1].offset + static_cast<uint32_t>(tokens_[pos_ - 1].raw.size());
  if (accept(kw::kAS)) {
    SFS_ASSIGN_OR_RETURN(statement->as_select, parse_select());
    return StatementPtr(std::move(statement));
  }
  SFS_TRY(expect_op("("));
  bool constraints = false;
  do {
    if (at(kw::kCONSTRAINT) || at(kw::kPRIMARY) || at(kw::kUNIQUE) || at(kw::kCHECK) ||
        at(kw::kFOREIGN)) {
      constraints = true;
      TableConstraint constraint;
      if (accept(kw::kCONSTRAINT)) {
        SFS_ASSIGN_OR_RETURN(constraint.name, parse_name());
      }
      if (accept(kw::kPRIMARY)) {
        SFS_TRY(expect(kw::kKEY));
        constraint.kind = TableConstraint::Kind::kPrimaryKey;
        SFS_ASSIGN_OR_RETURN(constraint.columns, parse_indexed_columns());
        SFS_ASSIGN_OR_RETURN(constraint.conflict, parse_conflict_clause());
      } else if (accept(kw::kUNIQUE)) {
        constraint.kind = TableConstraint::Kind::kUnique;
        SFS_ASSIGN_OR_RETURN(constraint.columns, parse_indexed_columns());
        SFS_ASSIGN_OR_RETURN(constraint.conflict, parse_conflict_clause());
      } else if (accept(kw::kCHECK)) {
        constraint.kind = TableConstraint::Kind::kCheck;
        SFS_TRY(expect_op("("));
        SFS_ASSIGN_OR_RETURN(constraint.check, parse_expr());
        SFS_TRY(expect_op(")"));
      } else if (accept(kw::kFOREIGN)) {
        SFS_TRY(expect(kw::kKEY));
        constraint.kind = TableConstraint::Kind::kForeignKey;
        SFS_ASSIGN_OR_RETURN(constraint.columns, parse_indexed_columns());
        SFS_TRY(expect(kw::kREFERENCES));
        SFS_TRY(skip_foreign_key_clause());
      } else {
        return syntax_error();
      }
      statement->constraints.push_back(std::move(constraint));
    } else {
      if (constraints) return syntax_error();
      ColumnDef column;
      SFS_TRY(parse_column_def(&column));
      statement->columns.push_back(std::move(column));
    }
  } while (accept_op(","));
  SFS_TRY(expect_op(")"));
  if (accept(kw::kWITHOUT)) {
    if (!(peek().kind == TokenKind::kIdentifier && core::iequals(peek().text, "ROWID"))) {
      return syntax_error();
    }
    advance();
    statement->without_rowid = true;
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_create_index(bool unique) {
  auto statement = std::make_unique<CreateIndexStatement>();
  statement->unique = unique;
  SFS_ASSIGN_OR_RETURN(statement->if_not_exists, parse_if_not_exists());
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  SFS_TRY(expect(kw::kON));
  statement->table_offset = peek().offset;
  SFS_ASSIGN_OR_RETURN(statement->table, parse_name());
  statement->table_end = tokens_[pos_ - 1].offset + static_cast<uint32_t>(tokens_[pos_ - 1].raw.size());
  SFS_ASSIGN_OR_RETURN(statement->columns, parse_indexed_columns());
  if (accept(kw::kWHERE)) {
    SFS_ASSIGN_OR_RETURN(statement->where, parse_expr());
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_create_view(bool temporary) {
  auto statement = std::make_unique<CreateViewStatement>();
  statement->temporary = temporary;
  SFS_ASSIGN_OR_RETURN(statement->if_not_exists, parse_if_not_exists());
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  if (accept_op("(")) {
    do {
      SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
      statement->columns.push_back(std::move(column));
    } while (accept_op(","));
    SFS_TRY(expect_op(")"));
  }
  SFS_TRY(expect(kw::kAS));
  SFS_ASSIGN_OR_RETURN(statement->select, parse_select());
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_create_trigger(bool temporary) {
  auto statement = std::make_unique<CreateTriggerStatement>();
  statement->temporary = temporary;
  SFS_ASSIGN_OR_RETURN(statement->if_not_exists, parse_if_not_exists());
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  if (accept(kw::kBEFORE)) {
    statement->timing = TriggerTiming::kBefore;
  } else if (accept(kw::kAFTER)) {
    statement->timing = TriggerTiming::kAfter;
  } else if (accept(kw::kINSTEAD)) {
    SFS_TRY(expect(kw::kOF));
    statement->timing = TriggerTiming::kInsteadOf;
  }
  if (accept(kw::kINSERT)) {
    statement->event = TriggerEvent::kInsert;
  } else if (accept(kw::kDELETE)) {
    statement->event = TriggerEvent::kDelete;
  } else if (accept(kw::kUPDATE)) {
    statement->event = TriggerEvent::kUpdate;
    if (accept(kw::kOF)) {
      do {
        SFS_ASSIGN_OR_RETURN(std::string column, parse_name());
        statement->update_columns.push_back(std::move(column));
      } while (accept_op(","));
    }
  } else {
    return syntax_error();
  }
  SFS_TRY(expect(kw::kON));
  statement->table_offset = peek().offset;
  SFS_ASSIGN_OR_RETURN(statement->table, parse_qualified_name());
  statement->table_end = tokens_[pos_ - 1].offset + static_cast<uint32_t>(tokens_[pos_ - 1].raw.size());
  if (accept(kw::kFOR)) {
    SFS_TRY(expect(kw::kEACH));
    SFS_TRY(expect(kw::kROW));
  }
  if (accept(kw::kWHEN)) {
    SFS_ASSIGN_OR_RETURN(statement->when, parse_expr());
  }
  SFS_TRY(expect(kw::kBEGIN));
  while (!at(kw::kEND)) {
    if (peek().kind == TokenKind::kEof) return syntax_error();
    uint32_t start = peek().offset;
    SFS_ASSIGN_OR_RETURN(StatementPtr body, parse_statement());
    StatementKind k = body->kind;
    if (k != StatementKind::kSelect && k != StatementKind::kInsert &&
        k != StatementKind::kUpdate && k != StatementKind::kDelete) {
      return error_at(tokens_[pos_ - 1], "only SELECT, INSERT, UPDATE and DELETE may appear in a trigger");
    }
    const Token& last = tokens_[pos_ - 1];
    body->offset = start;
    body->text = std::string(sql_.substr(start, last.offset + last.raw.size() - start));
    statement->body.push_back(std::move(body));
    SFS_TRY(expect_op(";"));
  }
  advance();  // END
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_drop() {
  auto statement = std::make_unique<DropStatement>();
  if (accept(kw::kTABLE)) {
    statement->object = DropStatement::Object::kTable;
  } else if (accept(kw::kINDEX)) {
    statement->object = DropStatement::Object::kIndex;
  } else if (accept(kw::kVIEW)) {
    statement->object = DropStatement::Object::kView;
  } else if (accept(kw::kTRIGGER)) {
    statement->object = DropStatement::Object::kTrigger;
  } else {
    return syntax_error();
  }
  if (accept(kw::kIF)) {
    SFS_TRY(expect(kw::kEXISTS));
    statement->if_exists = true;
  }
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_alter() {
  SFS_TRY(expect(kw::kTABLE));
  auto statement = std::make_unique<AlterTableStatement>();
  SFS_ASSIGN_OR_RETURN(statement->table, parse_qualified_name());
  if (accept(kw::kRENAME)) {
    if (accept(kw::kTO)) {
      statement->action = AlterTableStatement::Action::kRenameTable;
      SFS_ASSIGN_OR_RETURN(statement->new_name, parse_name());
    } else {
      accept(kw::kCOLUMN);
      statement->action = AlterTableStatement::Action::kRenameColumn;
      SFS_ASSIGN_OR_RETURN(statement->column, parse_name());
      SFS_TRY(expect(kw::kTO));
      SFS_ASSIGN_OR_RETURN(statement->new_name, parse_name());
    }
  } else if (accept(kw::kADD)) {
    accept(kw::kCOLUMN);
    statement->action = AlterTableStatement::Action::kAddColumn;
    uint32_t start = peek().offset;
    SFS_TRY(parse_column_def(&statement->definition));
    const Token& last = tokens_[pos_ - 1];
    statement->definition_text =
        std::string(sql_.substr(start, last.offset + last.raw.size() - start));
  } else if (accept(kw::kDROP)) {
    accept(kw::kCOLUMN);
    statement->action = AlterTableStatement::Action::kDropColumn;
    SFS_ASSIGN_OR_RETURN(statement->column, parse_name());
  } else {
    return syntax_error();
  }
  return StatementPtr(std::move(statement));
}

Result<StatementPtr> Parser::parse_pragma() {
  auto statement = std::make_unique<PragmaStatement>();
  SFS_ASSIGN_OR_RETURN(statement->name, parse_qualified_name());
  bool call = false;
  if (accept_op("=") || (call = accept_op("("))) {
    statement->has_argument = true;
    statement->call_form = call;
    std::string value;
    if (at_op("-") || at_op("+")) value = advance().text;
    const Token& t = peek();
    if (t.kind == TokenKind::kEof || t.kind == TokenKind::kOperator) return syntax_error();
    value += advance().text;
    statement->argument = std::move(value);
    if (call) SFS_TRY(expect_op(")"));
  }
  return StatementPtr(std::move(statement));
}

}  // namespace sfs::sql
