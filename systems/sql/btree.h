// B+trees over the pager: the ordered maps every table and index is stored in.
//
// One tree maps byte-string keys to byte-string values, ordered by memcmp of the keys. A table
// is a tree keyed by its rowid (an order-preserving integer encoding, so memcmp orders them
// like integers) whose values are records (record.h); an index is a tree keyed by the
// order-preserving encoding of the indexed columns plus the rowid (key_encoding.h) whose values
// hold the original column values. Having a single kind of tree, compared with a single
// memcmp, is the main simplification over SQLite, whose index trees compare decoded records.
// (Table keys use the same length-prefixed integer form: 1 to 9 bytes, sorted by memcmp.)
//
// Node pages (layout in FILE_FORMAT.md):
//
//   ┌────────┬──────────────────────┬──────── free ───────┬──────────────────────────────┐
//   │ header │ cell pointers (u16)→ │                      │ ←cells (packed from the end) │
//   └────────┴──────────────────────┴──────────────────────┴──────────────────────────────┘
//
// Leaves hold (key, value) cells in key order; interior pages hold (child, separator) cells plus
// a right-most child. All keys in child i are < separator i <= all keys in child i+1. Separators
// are the shortest prefix of the first key on the right that is still greater than the last key
// on the left (suffix truncation), so interior pages stay dense even for long index keys. A cell
// whose payload is too big for a quarter of a page keeps its head on the page and the rest in a
// chain of overflow pages.
//
// Insertion splits a full page in two and pushes a separator into the parent, splitting upward
// as needed; the root keeps its page number by moving its contents into a new child first. An
// insert at the very end (or start) of a page splits unevenly — the old page keeps everything —
// so ascending rowids fill pages completely. Deletion removes empty pages and merges a leaf that
// falls below a quarter full into a sibling when the two fit in one page; a root left with a
// single child absorbs it.
//
// Cursors keep their path from the root. Before a tree changes, every other cursor on it saves
// its current key (CursorRegistry) and re-seeks lazily, which is how a statement can read a table
// while another statement writes it (SQLite's saveAllCursors()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "systems/sql/btree_node.h"
#include "systems/sql/pager.h"

namespace sfs::sql {

class BTreeCursor;

// Knows every open cursor by tree, so a change to a tree can park the cursors reading it.
// A flat list: a connection has a handful of open cursors, and a statement opens and closes
// its cursors every time it runs, so a vector beats a map here.
class CursorRegistry {
 public:
  void add(uint32_t root, BTreeCursor* cursor) { cursors_.push_back({root, cursor}); }
  void remove(uint32_t root, BTreeCursor* cursor);
  // Saves the position of every cursor on `root` except `except`.
  void save_all(uint32_t root, BTreeCursor* except);

 private:
  struct Entry {
    uint32_t root;
    BTreeCursor* cursor;
  };
  std::vector<Entry> cursors_;
};

// The table key for a rowid (the order-preserving integer form of key_encoding.h, 1..9 bytes)
// and back (0 for a malformed key).
std::string encode_rowid_key(int64_t rowid);
int64_t decode_rowid_key(std::string_view key);

namespace btree {
// A new empty tree; returns its root page. REQUIRES: a write transaction.
Result<uint32_t> create(Pager* pager);
// Frees every page of the tree, the root too when `free_root`, else leaves the root empty.
Status destroy(Pager* pager, uint32_t root, bool free_root);
}  // namespace btree

class BTreeCursor {
 public:
  BTreeCursor(Pager* pager, uint32_t root, CursorRegistry* registry);
  ~BTreeCursor();
  BTreeCursor(const BTreeCursor&) = delete;
  BTreeCursor& operator=(const BTreeCursor&) = delete;

  uint32_t root() const { return root_; }

  // Positioning. After each, valid() says whether the cursor is on an entry.
  Status first();
  Status last();
  // The first entry with key >= `key`; *exact (optional) tells whether it is equal.
  Status seek(std::string_view key, bool* exact = nullptr);
  // The last entry with key <= `key`.
  Status seek_le(std::string_view key, bool* exact = nullptr);
  Status next();
  Status prev();
  bool valid() const { return state_ != State::kInvalid; }

  // The entry under the cursor. The views stay valid until the cursor moves or the tree changes.
  // REQUIRES: valid().
  Result<std::string_view> key();
  Result<std::string_view> value();

  // Inserts, or replaces the value of an equal key. The cursor is left near the new entry (call
  // seek() before reading). *replaced (optional) tells whether the key existed.
  Status insert(std::string_view key, std::string_view value, bool* replaced = nullptr);
  // Inserts only when the key is new; *existed tells whether it was already there (and then
  // nothing changed).
  Status insert_new(std::string_view key, std::string_view value, bool* existed);
  // Inserts a key greater than every key in the tree. Right after last() it reuses the path
  // last() found (the common "next rowid" pattern) instead of descending again.
  Status append(std::string_view key, std::string_view value);
  // Deletes the entry under the cursor; next() then moves to the entry after it.
  Status remove();

  // Forgets the page path but remembers the key, to re-seek on the next use.
  void save_position();
  // Drops the position (and the pages it pinned); valid() becomes false.
  void reset();

 private:
  enum class State { kInvalid, kValid, kSaved };
  static constexpr int kMaxDepth = 24;

  Status restore();
  Status parse_current();
  Status insert_impl(std::string_view key, std::string_view value, bool* existed, bool replace);
  Status descend_leftmost();
  Status descend_rightmost();
  Status move_to_root();
  Status load_cell();
  Status insert_cell(int level, int index, std::string_view cell);
  Status split(int level, int index, std::string_view cell);
  Status split_root();
  Status remove_child(int level, int index);
  Status merge_leaf_if_sparse();
  Status collapse_root();

  Pager* pager_;
  uint32_t root_;
  CursorRegistry* registry_;
  State state_ = State::kInvalid;
  int depth_ = 0;                      // levels in the path; pages_[depth_-1] is the leaf
  PageRef pages_[kMaxDepth];
  int index_[kMaxDepth] = {};
  // The current leaf cell, parsed by load_cell().
  std::string_view key_, value_;
  bool key_loaded_ = false, value_loaded_ = false, cell_parsed_ = false;
  node::Cell cell_;
  std::string key_buffer_, value_buffer_;
  std::string cell_buffer_;  // the cell being inserted (reused)
  std::string saved_key_;
  bool between_ = false;  // restored onto the successor of a removed key
  bool at_last_ = false;  // positioned by last() and not moved since
};

}  // namespace sfs::sql
