// The abstract syntax tree the parser builds and the compiler consumes.
//
// Expressions are one struct with a kind tag rather than a class per operator: the tree is
// built once per statement, walked by a handful of passes (name resolution, planning,
// compilation), and a single type keeps those passes to one switch each. Statements are a small
// class hierarchy under Statement, discriminated by `kind`.
//
// Every node records the byte offset where it starts in the SQL text, so that later errors
// ("no such column: x") can still point at line:column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "systems/sql/value.h"

namespace sfs::sql {

struct Select;
struct Source;
struct FunctionDef;
struct Subquery;
struct CorePlan;

enum class ExprKind : uint8_t {
  kLiteral,    // value
  kColumn,     // [table.]name
  kParameter,  // param (1-based)
  kUnary,      // op, left
  kBinary,     // op, left, right
  kFunction,   // name(args) / name(DISTINCT args) / name(*)
  kCase,       // CASE [left] WHEN args[2i] THEN args[2i+1] ... [ELSE right] END
  kCast,       // CAST(left AS name)
  kIn,         // left [NOT] IN (args) | (select) | table name
  kBetween,    // left [NOT] BETWEEN args[0] AND args[1]
  kLike,       // left [NOT] LIKE/GLOB right [ESCAPE escape]; name = "like" | "glob"
  kIsNull,     // left IS [NOT] NULL
  kExists,     // [NOT] EXISTS (select)
  kSubquery,   // (select)
  kCollate,    // left COLLATE name
  kRaise,      // RAISE(IGNORE | ROLLBACK/ABORT/FAIL, 'message'); name = action
  kVector,     // (a, b, ...) row value
};

enum class Op : uint8_t {
  kNone,
  // unary
  kNeg, kPlus, kNot, kBitNot,
  // binary
  kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kIs, kIsNot,
  kBitAnd, kBitOr, kShl, kShr, kAdd, kSub, kMul, kDiv, kMod, kConcat,
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Op op = Op::kNone;
  bool negated = false;   // NOT IN, NOT BETWEEN, NOT LIKE, NOT EXISTS, IS NOT NULL
  bool distinct = false;  // f(DISTINCT x)
  bool star = false;      // f(*)
  bool double_quoted = false;  // kColumn written "like this": a string if no column matches
  uint32_t offset = 0;
  Value value;
  int param = 0;
  std::string table;      // column qualifier; IN table name
  std::string name;       // column, function, collation, cast type, LIKE/GLOB, RAISE action
  std::unique_ptr<Expr> left, right, escape;
  std::vector<std::unique_ptr<Expr>> args;
  std::unique_ptr<Select> select;

  // ---- Filled in by the compiler (compile.cc); clone() does not copy these. ----
  Source* source = nullptr;             // kColumn: the FROM item it reads
  int column = -1;                      // kColumn: column number (kRowidColumn: the rowid)
  CorePlan* capture_owner = nullptr;    // kColumn read from an aggregate query's groups
  int capture = -1;                     //   ... and its slot in each group
  const FunctionDef* function = nullptr;  // kFunction
  int aggregate = -1;                   // kFunction: slot of an aggregate call in its query
  CorePlan* aggregate_owner = nullptr;
  Subquery* subquery = nullptr;         // kSubquery, kExists, kIn with a SELECT or table
  Affinity affinity = Affinity::kNone;  // the expression's affinity (SQLite's rules)
  Affinity compare_affinity = Affinity::kBlob;  // comparisons, IN, BETWEEN, CASE: applied first
  Collation collation = Collation::kBinary;
  bool explicit_collation = false;      // carries a COLLATE clause
  bool constant = false;                // no column, parameter or subquery inside

  std::unique_ptr<Expr> clone() const;
};
using ExprPtr = std::unique_ptr<Expr>;

struct ResultColumn {
  ExprPtr expr;            // null for * and table.*
  bool star = false;
  std::string star_table;  // table.*
  std::string alias;
  std::string text;        // the expression as written, for the column name
};

enum class JoinType : uint8_t { kInner, kLeft, kCross, kRight, kFull };

struct FromItem {
  enum class Kind : uint8_t { kTable, kSubquery, kJoin };
  Kind kind = Kind::kTable;
  uint32_t offset = 0;
  std::string name;   // table or view
  std::string alias;
  std::unique_ptr<Select> subquery;
  // kJoin: left JOIN right [ON on | USING (using_columns)]
  std::unique_ptr<FromItem> left, right;
  JoinType join = JoinType::kInner;
  bool natural = false;
  ExprPtr on;
  std::vector<std::string> using_columns;
  std::string indexed_by;
  bool not_indexed = false;
};

struct SelectCore {
  bool distinct = false;
  std::vector<ResultColumn> columns;
  std::unique_ptr<FromItem> from;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<std::vector<ExprPtr>> values;  // a VALUES core when not empty
};

struct OrderTerm {
  ExprPtr expr;
  bool desc = false;
  int nulls = 0;  // 0: default (NULLs first ascending), 1: NULLS FIRST, 2: NULLS LAST
};

enum class CompoundOp : uint8_t { kUnion, kUnionAll, kIntersect, kExcept };

struct CommonTable {
  std::string name;
  std::vector<std::string> columns;
  std::unique_ptr<Select> select;
};

struct Select {
  uint32_t offset = 0;
  bool recursive = false;
  std::vector<CommonTable> with;
  std::vector<SelectCore> cores;  // cores[0] ops[0] cores[1] ops[1] ...
  std::vector<CompoundOp> ops;
  std::vector<OrderTerm> order_by;
  ExprPtr limit, offset_expr;

  std::unique_ptr<Select> clone() const;
};

enum class Conflict : uint8_t { kDefault, kRollback, kAbort, kFail, kIgnore, kReplace };

struct IndexedColumn {
  std::string name;
  std::string collation;
  bool desc = false;
  uint32_t offset = 0, end = 0;  // where the name is in the statement text
};

struct ColumnDef {
  std::string name;
  uint32_t name_offset = 0, name_end = 0;  // offsets relative to the statement text
  uint32_t end_offset = 0;                 // just past the definition
  std::string type;
  bool primary_key = false;
  bool pk_desc = false;
  bool autoincrement = false;
  Conflict pk_conflict = Conflict::kDefault;
  bool not_null = false;
  Conflict not_null_conflict = Conflict::kDefault;
  bool unique = false;
  Conflict unique_conflict = Conflict::kDefault;
  ExprPtr default_value;
  std::string collation;
  std::vector<ExprPtr> checks;
};

struct TableConstraint {
  enum class Kind : uint8_t { kPrimaryKey, kUnique, kCheck, kForeignKey };
  Kind kind = Kind::kCheck;
  std::string name;
  std::vector<IndexedColumn> columns;
  ExprPtr check;
  Conflict conflict = Conflict::kDefault;
  bool autoincrement = false;
};

enum class StatementKind : uint8_t {
  kSelect, kInsert, kUpdate, kDelete, kCreateTable, kCreateIndex, kCreateView, kCreateTrigger,
  kDrop, kAlterTable, kTransaction, kPragma, kExplain, kAnalyze, kReindex, kVacuum,
};

struct Statement {
  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  StatementKind kind;
  uint32_t offset = 0;
  std::string text;  // the statement's SQL, without the trailing ';'
};
using StatementPtr = std::unique_ptr<Statement>;

struct SelectStatement : Statement {
  SelectStatement() : Statement(StatementKind::kSelect) {}
  std::unique_ptr<Select> select;
};

struct Upsert {
  std::vector<IndexedColumn> target;
  ExprPtr target_where;
  bool do_nothing = true;
  std::vector<std::pair<std::vector<std::string>, ExprPtr>> assignments;
  ExprPtr where;
};

struct InsertStatement : Statement {
  InsertStatement() : Statement(StatementKind::kInsert) {}
  Conflict conflict = Conflict::kDefault;
  std::string table;
  std::string alias;
  std::vector<std::string> columns;
  std::unique_ptr<Select> select;  // VALUES rows are a Select with a values core
  bool default_values = false;
  std::vector<Upsert> upserts;
};

struct UpdateStatement : Statement {
  UpdateStatement() : Statement(StatementKind::kUpdate) {}
  Conflict conflict = Conflict::kDefault;
  std::string table;
  std::string alias;
  std::vector<std::pair<std::vector<std::string>, ExprPtr>> assignments;
  ExprPtr where;
};

struct DeleteStatement : Statement {
  DeleteStatement() : Statement(StatementKind::kDelete) {}
  std::string table;
  std::string alias;
  ExprPtr where;
};

struct CreateTableStatement : Statement {
  CreateTableStatement() : Statement(StatementKind::kCreateTable) {}
  bool if_not_exists = false;
  bool temporary = false;
  std::string name;
  uint32_t name_offset = 0, name_end = 0;  // where the name is in `text` (for RENAME)
  std::vector<ColumnDef> columns;
  std::vector<TableConstraint> constraints;
  std::unique_ptr<Select> as_select;
  bool without_rowid = false;
};

struct CreateIndexStatement : Statement {
  CreateIndexStatement() : Statement(StatementKind::kCreateIndex) {}
  bool unique = false;
  bool if_not_exists = false;
  std::string name;
  std::string table;
  uint32_t table_offset = 0, table_end = 0;
  std::vector<IndexedColumn> columns;
  ExprPtr where;
};

struct CreateViewStatement : Statement {
  CreateViewStatement() : Statement(StatementKind::kCreateView) {}
  bool if_not_exists = false;
  bool temporary = false;
  std::string name;
  std::vector<std::string> columns;
  std::unique_ptr<Select> select;
};

enum class TriggerTiming : uint8_t { kBefore, kAfter, kInsteadOf };
enum class TriggerEvent : uint8_t { kInsert, kUpdate, kDelete };

struct CreateTriggerStatement : Statement {
  CreateTriggerStatement() : Statement(StatementKind::kCreateTrigger) {}
  bool if_not_exists = false;
  bool temporary = false;
  std::string name;
  TriggerTiming timing = TriggerTiming::kBefore;
  TriggerEvent event = TriggerEvent::kInsert;
  std::vector<std::string> update_columns;
  std::string table;
  uint32_t table_offset = 0, table_end = 0;
  ExprPtr when;
  std::vector<StatementPtr> body;
};

struct DropStatement : Statement {
  DropStatement() : Statement(StatementKind::kDrop) {}
  enum class Object : uint8_t { kTable, kIndex, kView, kTrigger } object = Object::kTable;
  bool if_exists = false;
  std::string name;
};

struct AlterTableStatement : Statement {
  AlterTableStatement() : Statement(StatementKind::kAlterTable) {}
  enum class Action : uint8_t { kRenameTable, kRenameColumn, kAddColumn, kDropColumn };
  Action action = Action::kRenameTable;
  std::string table;
  std::string new_name;
  std::string column;  // RENAME COLUMN old / DROP COLUMN name
  ColumnDef definition;
  std::string definition_text;
};

struct TransactionStatement : Statement {
  TransactionStatement() : Statement(StatementKind::kTransaction) {}
  enum class Action : uint8_t { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo };
  Action action = Action::kBegin;
  enum class Mode : uint8_t { kDeferred, kImmediate, kExclusive } mode = Mode::kDeferred;
  std::string name;
};

struct PragmaStatement : Statement {
  PragmaStatement() : Statement(StatementKind::kPragma) {}
  std::string name;
  std::string argument;  // the value as text (a name, a number or a string)
  bool has_argument = false;
  bool call_form = false;  // pragma name(arg)
};

struct ExplainStatement : Statement {
  ExplainStatement() : Statement(StatementKind::kExplain) {}
  bool query_plan = false;
  StatementPtr statement;
};

struct NameStatement : Statement {  // ANALYZE [name], REINDEX [name], VACUUM
  explicit NameStatement(StatementKind k) : Statement(k) {}
  std::string name;
};

}  // namespace sfs::sql
