// Internal to the SQL layer: the compiled form of statements and the run-time objects that
// execute them. Nothing outside systems/sql includes this; the public face is sql.h.
//
// A SELECT compiles to a QueryPlan: one CorePlan per SELECT of a compound, each with
//
//   sources   the FROM items (tables, views, subqueries), each able to read "the current row"
//   levels    the join order the planner chose, one nested loop per source, each with its
//             access path (full scan, rowid lookup or range, index prefix/range, IN list) and
//             the WHERE terms checked as soon as the sources they use are positioned
//   columns   the result expressions (annotated AST nodes, see ast.h)
//
// Execution is a pull-based iterator ("volcano") over the levels, with aggregation (hash on the
// GROUP BY key, groups emitted in key order as SQLite does), DISTINCT, ORDER BY and compounds
// materialized where they must be. Expressions are evaluated by walking the annotated AST
// (Runtime::eval). Rejected alternative: SQLite's bytecode VM. A register machine is faster to
// run but needs a code generator and a disassembler before anything works; the tree walker is
// what a reader can follow, and measured fast enough for the benchmarks in bench/.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "systems/sql/ast.h"
#include "systems/sql/btree.h"
#include "systems/sql/catalog.h"
#include "systems/sql/record.h"

namespace sfs::sql {

class Connection;
class Runtime;
struct QueryPlan;

// ---- functions (functions.cc) ----------------------------------------------------------------

enum class AggregateKind : uint8_t {
  kNone, kCount, kCountStar, kSum, kTotal, kAvg, kMin, kMax, kGroupConcat,
};

using ScalarFunction = bool (*)(Runtime& rt, const Expr* call, Value* args, int count, Value* out);

struct FunctionDef {
  const char* name;
  int min_args;
  int max_args;  // -1: any number
  ScalarFunction scalar = nullptr;
  AggregateKind aggregate = AggregateKind::kNone;
  bool deterministic = true;
};

// The function called `name` with `count` arguments; nullptr when there is none (*wrong_count
// tells whether the name exists with other arities).
const FunctionDef* find_function(std::string_view name, int count, bool* wrong_count);
// True for aggregate names at this arity (used before full resolution).
bool is_aggregate_function(std::string_view name, int count);

// LIKE and GLOB matching (functions.cc).
bool like_match(std::string_view pattern, std::string_view text, uint32_t escape, bool nocase);
bool glob_match(std::string_view pattern, std::string_view text);
// SQL printf(): %d %i %u %f %e %E %g %G %x %X %o %c %s %z %q %Q %w %% with flags and widths.
std::string sql_printf(std::string_view format, const Value* args, int count);

// Per-group state of one aggregate call.
struct AggregateValue {
  int64_t count = 0;
  bool integer_sum = true;
  bool overflow = false;
  int64_t isum = 0;
  double rsum = 0;
  Value value;              // min/max so far
  std::string text;         // group_concat
  bool has_text = false;
  std::unique_ptr<std::vector<Value>> seen;  // DISTINCT: values already counted (sorted)
};
// Folds one row's argument values into `state`; false (error in rt) on overflow.
// *changed is set when a min/max took a new value.
bool aggregate_step(Runtime& rt, AggregateKind kind, AggregateValue* state, const Value* args,
                    int count, Collation collation, bool* changed);
Value aggregate_final(AggregateKind kind, const AggregateValue& state);
// For DISTINCT aggregates: true when `v` was already folded into this state (remembers it).
bool aggregate_seen_before(AggregateValue* state, const Value& v, Collation collation);

// ---- sources and plans -----------------------------------------------------------------------

// One item of a FROM clause while a query runs: it can read its current row's columns.
struct Source {
  std::string name;  // alias, or table name
  std::vector<std::string> columns;
  std::vector<Affinity> affinities;
  std::vector<Collation> collations;
  std::vector<bool> hidden;  // USING/NATURAL duplicates: not in *, not found unqualified
  TableInfo* table = nullptr;
  std::unique_ptr<QueryPlan> subplan;  // subquery, view or CTE
  bool pseudo = false;                 // NEW/OLD row of a trigger, or an upsert's excluded row
  bool left_join = false;
  int index = 0;
  uint64_t bit = 0;

  // ---- run time ----
  std::unique_ptr<BTreeCursor> cursor;        // the table's rows
  std::unique_ptr<BTreeCursor> index_cursor;  // the index a level scans
  IndexInfo* scan_index = nullptr;
  std::vector<int> index_position;  // table column -> position in the index entry, or -1
  bool on_index = false;            // positioned through index_cursor
  bool table_loaded = false;        // cursor is on the row (rowid) and record is parsed
  bool index_parsed = false;
  int64_t rowid = 0;
  RecordReader record;
  std::vector<Value> index_values;  // the index entry's columns, decoded on first use
  bool null_row = false;
  std::vector<std::vector<Value>> rows;  // materialized subquery rows
  const std::vector<Value>* current = nullptr;  // kRows / pseudo: the current row

  // Positions on rowid through the table cursor; false when there is no such row.
  bool load_table_row(Runtime& rt);
  bool read(Runtime& rt, int column, Value* out);
  // Called when a cursor moved: forget what was cached about the previous row.
  void moved() {
    table_loaded = false;
    index_parsed = false;
  }
};

enum class Access : uint8_t {
  kScan,        // every row of the table (or of a materialized subquery)
  kRowidEq,     // rowid = value (or IN list)
  kRowidRange,  // rowid between bounds
  kIndex,       // index: equality on a prefix (one position may be an IN list) + optional range
};

struct Level {
  Source* source = nullptr;
  Access access = Access::kScan;
  IndexInfo* index = nullptr;
  std::vector<Expr*> eq;  // values for the index prefix, or the rowid
  // The comparison affinity of each eq term, and of low/high: when it converts nothing (a TEXT
  // column against a BLOB-affinity one), the probe keeps its type instead of taking the
  // column's affinity, as the comparison itself would.
  std::vector<Affinity> eq_affinity;
  Affinity low_affinity = Affinity::kBlob, high_affinity = Affinity::kBlob;
  int in_position = -1;   // eq[in_position] is an IN expression (its list supplies values)
  Expr* low = nullptr;
  bool low_inclusive = false;
  Expr* high = nullptr;
  bool high_inclusive = false;
  bool reverse = false;
  bool covering = false;
  std::vector<Expr*> filters;     // WHERE terms checked here; the first self_filters of them
  size_t self_filters = 0;        // read only this level's source
  std::vector<Expr*> on_filters;  // LEFT JOIN ... ON terms (they decide "matched")
  double est_rows = 0;
  // An inner full scan with filters of its own is rescanned for every outer row; it remembers
  // the rowids that pass those filters the first time instead (reset per execution).
  bool cache_rows = false;
  // ... and with an equality on an unindexed column against an outer value, it remembers them in
  // a hash table on that column: a transient index (SQLite's "automatic index").
  int hash_column = -1;
  Expr* hash_probe = nullptr;
  Affinity hash_affinity = Affinity::kBlob;
  Collation hash_collation = Collation::kBinary;

  // ---- run time ----
  bool matched = false;
  bool null_emitted = false;
  bool empty = false;               // the bounds can match nothing
  std::vector<std::string> probes;  // key prefixes to scan (several for IN lists)
  size_t probe = 0;
  std::string start, end;           // byte-range bounds within the current probe
  bool start_inclusive = true, end_inclusive = true, has_start = false, has_end = false;
  std::vector<int64_t> rowids;      // kRowidEq with IN
  int64_t rowid_low = 0, rowid_high = 0;
  size_t row = 0;                   // kScan over materialized rows
  bool cache_ready = false;
  std::vector<int64_t> cache;
  std::unordered_map<std::string, std::vector<int64_t>> hash;
};

struct AggregateCall {
  const FunctionDef* function = nullptr;
  Expr* call = nullptr;
  bool distinct = false;
  Collation collation = Collation::kBinary;
};

struct Group {
  std::vector<Value> key;
  size_t hash = 0;
  std::vector<AggregateValue> values;
  std::vector<Value> results;   // finalized values, filled before output
  std::vector<Value> captured;  // bare columns, from the group's first (or extreme) row
};

struct CorePlan {
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<Level> levels;
  std::vector<Expr*> constant_filters;
  std::vector<Expr*> columns;
  std::vector<std::string> names;
  bool distinct = false;
  bool aggregate = false;
  std::vector<Expr*> group_by;
  Expr* having = nullptr;
  std::vector<AggregateCall> aggregates;
  std::vector<Expr*> captures;  // column nodes read in output context, by capture slot
  int extreme = -1;             // the only min()/max(): bare columns follow its row
  bool stop_after_first = false;
  std::vector<std::vector<Expr*>> values;  // a VALUES core
  std::vector<ExprPtr> owned;              // expressions the compiler made up
  std::vector<std::unique_ptr<Select>> owned_selects;

  // ---- run time ----
  bool output_phase = false;
  Group* current_group = nullptr;
  bool started = false;
  bool constants_ok = true;
  bool finished = false;
  size_t values_row = 0;
};

struct OrderKey {
  int column = -1;        // a result column, or
  Expr* expr = nullptr;   // an expression over the sources (simple selects only)
  bool desc = false;
  int nulls = 0;          // 0 default, 1 first, 2 last
  Collation collation = Collation::kBinary;
};

struct QueryPlan {
  QueryPlan();
  ~QueryPlan();
  std::vector<std::unique_ptr<CorePlan>> cores;
  std::vector<CompoundOp> ops;
  std::vector<OrderKey> order;
  bool order_satisfied = false;  // the access path already yields ORDER BY's order
  Expr* limit = nullptr;
  Expr* offset = nullptr;
  std::vector<std::string> names;
  std::vector<Affinity> affinities;
  std::vector<Collation> collations;           // the leftmost SELECT's (a subquery's columns)
  std::vector<Collation> compound_collations;  // UNION/EXCEPT/INTERSECT and their ORDER BY
  std::vector<std::unique_ptr<Select>> owned_selects;  // views and CTEs expanded into this plan
  std::vector<ExprPtr> owned;
  std::vector<std::unique_ptr<Subquery>> subqueries;    // expression subqueries of its cores

  // ---- run time (see query_exec.cc) ----
  struct Run;
  std::unique_ptr<Run> run;
};

// An expression subquery: (SELECT ...), EXISTS (SELECT ...), x IN (SELECT ...).
struct Subquery {
  enum class Kind : uint8_t { kScalar, kExists, kIn };
  Kind kind = Kind::kScalar;
  std::unique_ptr<QueryPlan> plan;
  bool correlated = false;
  Affinity in_affinity = Affinity::kBlob;  // applied to both sides of IN comparisons
  Collation in_collation = Collation::kBinary;
  // Cached result of an uncorrelated subquery, valid for one statement execution (epoch).
  uint64_t epoch = 0;
  Value scalar;
  bool exists = false;
  std::vector<Value> values;  // IN: sorted, NULLs removed
  bool has_null = false;
};

// ---- evaluation ------------------------------------------------------------------------------

// The state one statement execution shares: the connection, bound parameters, the first error.
// eval() returns false after recording an error; callers stop and return rt.error.
class Runtime {
 public:
  Runtime(Connection* connection, const std::vector<Value>* parameters)
      : connection_(connection), parameters_(parameters) {}

  bool eval(const Expr* e, Value* out);
  // A WHERE-style test: 1 true, 0 false or NULL; -1 on error.
  int test(const Expr* e);
  bool fail(Status status) {
    if (error.is_ok()) error = std::move(status);
    return false;
  }
  Connection* connection() const { return connection_; }
  uint64_t epoch = 1;
  Status error;
  // How a failing statement is undone: kAbort (its own changes), kFail (none), kRollback
  // (the whole transaction). Set by the constraint that failed.
  Conflict on_error = Conflict::kAbort;
  std::vector<const TriggerInfo*> active_triggers;

 private:
  bool eval_binary(const Expr* e, Value* out);
  bool eval_comparison(const Expr* e, Value* out);
  bool eval_function(const Expr* e, Value* out);
  bool eval_in(const Expr* e, Value* out);
  bool eval_subquery(const Expr* e, Value* out);

  Connection* connection_;
  const std::vector<Value>* parameters_;
};

// Comparison under SQLite's affinity rules: applies `affinity` to both operands, compares with
// `collation`. Sets *is_null when either side is NULL.
int compare_for_sql(const Value& a, const Value& b, Affinity affinity, Collation collation,
                    bool* is_null);
// The affinity a comparison between a and b applies (sqlite3CompareAffinity).
Affinity comparison_affinity(const Expr* a, const Expr* b);
// The collation a binary comparison uses (explicit COLLATE first, then column collations).
Collation comparison_collation(const Expr* a, const Expr* b);
// The collation an expression carries (sqlite3ExprCollSeq): false if it carries none.
bool find_collation(const Expr* e, Collation* out);
// ... or BINARY if none.
Collation expression_collation(const Expr* e);

// ---- executing queries (query_exec.cc) -------------------------------------------------------

// Opens (or re-opens) a plan for a fresh iteration; next() yields rows until *has_row is false.
Status query_open(Runtime& rt, QueryPlan* plan);
Status query_next(Runtime& rt, QueryPlan* plan, bool* has_row);
const std::vector<Value>& query_row(const QueryPlan* plan);
void query_close(QueryPlan* plan);
// Evaluates a subquery for the current outer row (or from its cache).
bool run_subquery(Runtime& rt, Subquery* subquery);
// Positions a join level on its first / next row (access.cc); *ok false when there is none.
Status level_start(Runtime& rt, Level& L, bool* ok);
Status level_next(Runtime& rt, Level& L, bool* ok);
// The FROM/WHERE loop of one core (used directly by UPDATE and DELETE).
Status core_open(Runtime& rt, CorePlan* core);
Status core_next(Runtime& rt, CorePlan* core, bool* found);
// EXPLAIN QUERY PLAN lines for a plan, indented by nesting.
void describe_plan(const QueryPlan* plan, int depth, std::vector<std::string>* lines);
void describe_core_plan(const CorePlan* core, int depth, std::vector<std::string>* lines);

// ---- compiling (compile.cc, planner.cc) ------------------------------------------------------

// A name-resolution scope: the sources one query level can see, and a link outwards.
struct Scope {
  CorePlan* core = nullptr;
  std::vector<Source*> sources;
  Scope* parent = nullptr;
  Subquery* subquery = nullptr;  // set on the outermost scope of a subquery's body
  std::vector<std::unique_ptr<Subquery>>* subquery_owner = nullptr;
  bool in_output = false;
  bool allow_aggregates = false;
  bool in_aggregate_arg = false;
  std::vector<ResultColumn>* aliases = nullptr;
  int alias_depth = 0;
};

class Compiler {
 public:
  explicit Compiler(Connection* connection) : connection_(connection) {}

  // Compiles a SELECT; `outer` is the enclosing scope for correlated subqueries (or null).
  Result<std::unique_ptr<QueryPlan>> compile_select(Select* select, Scope* outer);
  // Resolves an expression against the given sources only (DML: WHERE, SET, VALUES, CHECK).
  Status resolve_in(Expr* e, const std::vector<Source*>& sources, Scope* outer);
  Connection* connection() const { return connection_; }

  // A one-table core for UPDATE/DELETE: its source, WHERE resolved and planned.
  Result<std::unique_ptr<CorePlan>> compile_table_scan(TableInfo* table, const std::string& alias,
                                                       Expr* where, Scope* outer,
                                                       std::vector<std::unique_ptr<Subquery>>* owner);
  // Triggers being compiled (a trigger never compiles itself again: no recursion).
  std::vector<const TriggerInfo*> compiling_triggers;
  // Common table expressions visible while compiling (innermost last).
  struct CteScope {
    const std::vector<CommonTable>* tables;
    bool recursive;
  };
  std::vector<CteScope> ctes;

 private:
  friend struct Scope;
  Connection* connection_;
};

// Splits an AND tree into its conjuncts.
void split_conjuncts(Expr* e, std::vector<Expr*>* out);
// Plans the join order and access paths of a core whose sources and WHERE are resolved.
Status plan_core(Compiler& compiler, CorePlan* core, std::vector<Expr*>& where_terms,
                 const std::vector<std::vector<Expr*>>& on_terms, QueryPlan* plan, bool has_limit);

// ---- programs: compiled statements (dml.cc, ddl.cc, database.cc) ---------------------------

class Program;
// SELECT, INSERT, UPDATE or DELETE, optionally inside a trigger (outer holds NEW/OLD).
Result<std::unique_ptr<Program>> compile_dml(Compiler& compiler, Statement* statement, Scope* outer);
// True when the plan (or a subquery in it) reads `table`.
bool plan_reads_table(const QueryPlan* plan, const TableInfo* table);
// The plan inside a program compile_dml() made for a SELECT.
QueryPlan* select_program_plan(Program* program);
// Fills a new index from its table's rows (CREATE INDEX, REINDEX).
Status populate_index(Runtime& rt, Connection* connection, TableInfo* table, IndexInfo* index);
// Every row of the table has its index entries, and every index has one entry per row.
Status check_table_indexes(Runtime& rt, Connection* connection, TableInfo* table,
                           std::vector<std::string>* errors);
// CREATE, DROP, ALTER, ANALYZE, REINDEX, VACUUM (ddl.cc).
Result<std::unique_ptr<Program>> compile_ddl(Connection* connection, Statement* statement);
// Writes to the schema table (ddl.cc).
Status schema_insert(Connection* connection, const std::string& type, const std::string& name,
                     const std::string& table, uint32_t root, const std::string& sql);

class Program {
 public:
  virtual ~Program() = default;
  // Starts one execution. REQUIRES: the connection's transaction is open.
  virtual Status open(Runtime& rt) = 0;
  // The next result row (*has_row false at the end). DML does all its work in the first call.
  virtual Status step(Runtime& rt, bool* has_row) = 0;
  virtual const std::vector<Value>& row() const { return empty_; }
  virtual void close() {}
  // EXPLAIN QUERY PLAN lines.
  virtual void describe(std::vector<std::string>* lines) const { (void)lines; }
  std::vector<std::string> names;
  bool writes = false;       // needs a write transaction
  bool schema_change = false;
  bool multi_row = true;     // may change several rows (needs a statement savepoint)
  bool manages_transaction = false;  // BEGIN, COMMIT, ... run outside statement bracketing

 protected:
  std::vector<Value> empty_;
};

}  // namespace sfs::sql
