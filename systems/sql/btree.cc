// B+trees and cursors (see btree.h for the design, btree_node.h for the page layout).
#include "systems/sql/btree.h"

#include <algorithm>
#include <cstring>

#include "systems/sql/btree_node.h"
#include "systems/sql/key_encoding.h"

namespace sfs::sql {

using node::Cell;

// ---- rowid keys and the cursor registry ------------------------------------------------------

std::string encode_rowid_key(int64_t rowid) {
  uint8_t buf[9];
  return std::string(reinterpret_cast<const char*>(buf), encode_sortable_int(rowid, buf));
}

int64_t decode_rowid_key(std::string_view key) {
  const auto* p = reinterpret_cast<const uint8_t*>(key.data());
  int64_t rowid = 0;
  if (decode_sortable_int(p, p + key.size(), &rowid) == 0) return 0;
  return rowid;
}

void CursorRegistry::remove(uint32_t root, BTreeCursor* cursor) {
  for (size_t i = cursors_.size(); i-- > 0;) {
    if (cursors_[i].cursor == cursor && cursors_[i].root == root) {
      cursors_[i] = cursors_.back();
      cursors_.pop_back();
      return;
    }
  }
}

void CursorRegistry::save_all(uint32_t root, BTreeCursor* except) {
  for (const Entry& entry : cursors_) {
    if (entry.root == root && entry.cursor != except) entry.cursor->save_position();
  }
}

namespace {

int compare_bytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// Compares the key of cell `i` with `key` in place, for the common case: a short key with a
// one-byte size that lies whole on the page. Returns false (and leaves *c alone) for anything
// else, which takes the checked path below.
inline bool compare_cell_key_fast(const uint8_t* p, bool leaf, int i, std::string_view key,
                                  int* c) {
  uint32_t at = node::cell_pointer(p, i);
  uint32_t n = node::cell_count(p);
  if (at < node::kHeaderSize + 2 * n) return false;
  if (!leaf) at += 4;  // the child pointer
  if (at >= kPageSize) return false;
  uint32_t key_size = p[at++];
  if (key_size >= 0x80) return false;
  if (leaf) {  // skip the value size
    int k = 0;
    while (k < 9 && at + k < kPageSize && (p[at + k] & 0x80)) ++k;
    at += k + 1;
  }
  if (at + key_size > kPageSize || key_size > node::kMinLocal) return false;
  const uint8_t* q = p + at;
  const auto* k = reinterpret_cast<const uint8_t*>(key.data());
  size_t m = std::min<size_t>(key_size, key.size());
  int r = 0;
  if (m <= 16) {  // rowid keys and small index keys: a byte loop beats a call to memcmp
    for (size_t j = 0; j < m; ++j) {
      if (q[j] != k[j]) {
        r = q[j] < k[j] ? -1 : 1;
        break;
      }
    }
  } else {
    r = std::memcmp(q, k, m);
  }
  if (r == 0) r = key_size < key.size() ? -1 : key_size > key.size() ? 1 : 0;
  *c = r;
  return true;
}

// Compares the key of cell `i` with `key`: in place when it can, else by parsing the cell
// (long keys, overflow pages, and corrupt pages, which give an error).
inline Result<int> compare_cell_key_slow(Pager* pager, const uint8_t* p, uint32_t pgno, int i, std::string_view key, std::string* scratch) {
  node::Cell cell;
  SFS_TRY(node::parse_cell(p, pgno, i, &cell));
  SFS_ASSIGN_OR_RETURN(std::string_view cell_key, node::cell_key(pager, p, cell, scratch));
  return compare_bytes(cell_key, key);
}

#define SFS_COMPARE_CELL_KEY(c, pager, p, pgno, leaf, i, key, scratch)                 \
  int c;                                                                                \
  if (!compare_cell_key_fast(p, leaf, i, key, &c)) {                                    \
    auto c##_slow = compare_cell_key_slow(pager, p, pgno, i, key, scratch);       \
    if (!c##_slow.is_ok()) return c##_slow.status();                                    \
    c = *c##_slow;                                                                      \
  }

// The shortest prefix of `right` that is greater than `left` (REQUIRES: left < right).
std::string_view shortest_separator(std::string_view left, std::string_view right) {
  size_t j = 0;
  while (j < left.size() && j < right.size() && left[j] == right[j]) ++j;
  return right.substr(0, std::min(right.size(), j + 1));
}

// The key of a leaf cell held as raw bytes (for choosing a separator during a split).
Status key_of_leaf_cell(Pager* pager, const std::string& bytes, std::string* out) {
  // Parse the cell as if it sat at the end of a scratch page.
  uint8_t page[kPageSize];
  std::memset(page, 0, node::kHeaderSize);
  page[0] = node::kLeaf;
  uint32_t offset = static_cast<uint32_t>(kPageSize - bytes.size());
  std::memcpy(page + offset, bytes.data(), bytes.size());
  Cell cell;
  SFS_TRY(node::parse_cell_at(page, 0, true, offset, &cell));
  return node::read_payload(pager, page, cell, 0, cell.key_size, out);
}

Status destroy_recursive(Pager* pager, uint32_t pgno, int depth) {
  if (depth > 24) return node::corrupt(pgno, "tree too deep");
  SFS_ASSIGN_OR_RETURN(PageRef page, pager->get(pgno));
  SFS_TRY(node::check_header(page.data(), pgno));
  int n = node::cell_count(page.data());
  bool leaf = node::is_leaf(page.data());
  std::vector<uint32_t> children;
  for (int i = 0; i < n; ++i) {
    Cell cell;
    SFS_TRY(node::parse_cell(page.data(), pgno, i, &cell));
    SFS_TRY(node::free_overflow(pager, cell));
    if (!leaf) children.push_back(cell.child);
  }
  if (!leaf) children.push_back(node::right_child(page.data()));
  page.release();
  for (uint32_t child : children) {
    SFS_TRY(destroy_recursive(pager, child, depth + 1));
    SFS_TRY(pager->free_page(child));
  }
  return Status::ok();
}

}  // namespace

namespace btree {

Result<uint32_t> create(Pager* pager) {
  SFS_ASSIGN_OR_RETURN(PageRef page, pager->allocate());
  node::rebuild(page.mutable_data(), node::kLeaf, {}, 0);
  return page.pgno();
}

Status destroy(Pager* pager, uint32_t root, bool free_root) {
  SFS_TRY(destroy_recursive(pager, root, 0));
  if (free_root) return pager->free_page(root);
  SFS_ASSIGN_OR_RETURN(PageRef page, pager->get(root));
  SFS_TRY(pager->make_writable(page));
  node::rebuild(page.mutable_data(), node::kLeaf, {}, 0);
  return Status::ok();
}

}  // namespace btree

// ---- cursor: positioning ---------------------------------------------------------------------

BTreeCursor::BTreeCursor(Pager* pager, uint32_t root, CursorRegistry* registry)
    : pager_(pager), root_(root), registry_(registry) {
  if (registry_ != nullptr) registry_->add(root_, this);
}

BTreeCursor::~BTreeCursor() {
  if (registry_ != nullptr) registry_->remove(root_, this);
}

void BTreeCursor::save_position() {
  at_last_ = false;
  if (state_ != State::kValid) return;
  auto key = this->key();
  if (!key.is_ok()) {
    state_ = State::kInvalid;
  } else {
    saved_key_.assign(key->data(), key->size());
    state_ = State::kSaved;
    between_ = false;
  }
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
}

void BTreeCursor::reset() {
  at_last_ = false;
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  state_ = State::kInvalid;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  between_ = false;
}

Status BTreeCursor::restore() {
  if (state_ != State::kSaved) return Status::ok();
  std::string key = std::move(saved_key_);
  bool exact = false;
  SFS_TRY(seek(key, &exact));
  between_ = valid() && !exact;
  return Status::ok();
}

Status BTreeCursor::move_to_root() {
  at_last_ = false;
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  between_ = false;
  SFS_ASSIGN_OR_RETURN(pages_[0], pager_->get(root_));
  SFS_TRY(node::check_header(pages_[0].data(), root_));
  depth_ = 1;
  index_[0] = 0;
  return Status::ok();
}

namespace {
// The child pointer number `index` of an interior page (index == cell count: the right child).
Result<uint32_t> child_at(const uint8_t* p, uint32_t pgno, int index) {
  int n = node::cell_count(p);
  if (index >= n) return node::right_child(p);
  uint32_t offset = node::cell_pointer(p, index);
  if (offset >= node::kHeaderSize + 2 * static_cast<uint32_t>(n) && offset + 4 <= kPageSize) {
    return get_u32(p + offset);  // an interior cell starts with its child pointer
  }
  Cell cell;
  SFS_TRY(node::parse_cell(p, pgno, index, &cell));
  return cell.child;
}
}  // namespace

Status BTreeCursor::descend_leftmost() {
  while (!node::is_leaf(pages_[depth_ - 1].data())) {
    if (depth_ >= kMaxDepth) return node::corrupt(pages_[depth_ - 1].pgno(), "tree too deep");
    const PageRef& page = pages_[depth_ - 1];
    SFS_ASSIGN_OR_RETURN(uint32_t child, child_at(page.data(), page.pgno(), index_[depth_ - 1]));
    SFS_ASSIGN_OR_RETURN(pages_[depth_], pager_->get(child));
    SFS_TRY(node::check_header(pages_[depth_].data(), child));
    index_[depth_] = 0;
    ++depth_;
  }
  return Status::ok();
}

Status BTreeCursor::descend_rightmost() {
  while (!node::is_leaf(pages_[depth_ - 1].data())) {
    if (depth_ >= kMaxDepth) return node::corrupt(pages_[depth_ - 1].pgno(), "tree too deep");
    const PageRef& page = pages_[depth_ - 1];
    SFS_ASSIGN_OR_RETURN(uint32_t child, child_at(page.data(), page.pgno(), index_[depth_ - 1]));
    SFS_ASSIGN_OR_RETURN(pages_[depth_], pager_->get(child));
    const uint8_t* p = pages_[depth_].data();
    SFS_TRY(node::check_header(p, child));
    index_[depth_] = node::is_leaf(p) ? node::cell_count(p) - 1 : node::cell_count(p);
    ++depth_;
  }
  return Status::ok();
}

Status BTreeCursor::first() {
  SFS_TRY(move_to_root());
  SFS_TRY(descend_leftmost());
  state_ = State::kValid;
  index_[depth_ - 1] = -1;
  return next();
}

Status BTreeCursor::last() {
  SFS_TRY(move_to_root());
  const uint8_t* root = pages_[0].data();
  index_[0] = node::is_leaf(root) ? node::cell_count(root) - 1 : node::cell_count(root);
  SFS_TRY(descend_rightmost());
  state_ = State::kValid;
  index_[depth_ - 1] += 1;
  SFS_TRY(prev());
  // Only a position inside the rightmost leaf is a valid append point.
  at_last_ = valid() && index_[depth_ - 1] == node::cell_count(pages_[depth_ - 1].data()) - 1;
  for (int i = 0; at_last_ && i + 1 < depth_; ++i) {
    at_last_ = index_[i] == node::cell_count(pages_[i].data());
  }
  return Status::ok();
}

Status BTreeCursor::seek(std::string_view key, bool* exact) {
  SFS_TRY(move_to_root());
  std::string scratch;
  while (true) {
    const uint8_t* p = pages_[depth_ - 1].data();
    uint32_t pgno = pages_[depth_ - 1].pgno();
    int n = node::cell_count(p);
    int lo = 0, hi = n;
    if (node::is_leaf(p)) {
      bool equal = false;
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        SFS_COMPARE_CELL_KEY(c, pager_, p, pgno, true, mid, key, &scratch);
        if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
          if (c == 0) equal = true;
        }
      }
      index_[depth_ - 1] = lo;
      state_ = State::kValid;
      if (exact != nullptr) *exact = equal;
      if (lo >= n) {
        // Past the end of this leaf: the answer is the first entry of the next one.
        index_[depth_ - 1] = n - 1;
        return next();
      }
      return Status::ok();
    }
    while (lo < hi) {  // the first separator greater than the key
      int mid = (lo + hi) / 2;
      SFS_COMPARE_CELL_KEY(c, pager_, p, pgno, false, mid, key, &scratch);
      if (c <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (depth_ >= kMaxDepth) return node::corrupt(pgno, "tree too deep");
    index_[depth_ - 1] = lo;
    SFS_ASSIGN_OR_RETURN(uint32_t child, child_at(p, pgno, lo));
    SFS_ASSIGN_OR_RETURN(pages_[depth_], pager_->get(child));
    SFS_TRY(node::check_header(pages_[depth_].data(), child));
    ++depth_;
  }
}

Status BTreeCursor::seek_le(std::string_view key, bool* exact) {
  bool equal = false;
  SFS_TRY(seek(key, &equal));
  if (exact != nullptr) *exact = equal;
  if (equal) return Status::ok();
  if (!valid()) return last();
  return prev();
}

Status BTreeCursor::next() {
  if (state_ == State::kSaved) {
    SFS_TRY(restore());
    if (between_) {
      between_ = false;
      return Status::ok();
    }
  }
  if (state_ != State::kValid) return Status::ok();
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  at_last_ = false;
  int leaf = depth_ - 1;
  ++index_[leaf];
  while (index_[depth_ - 1] >= node::cell_count(pages_[depth_ - 1].data())) {
    int level = depth_ - 2;
    while (level >= 0 && index_[level] >= node::cell_count(pages_[level].data())) --level;
    if (level < 0) {
      state_ = State::kInvalid;
      for (int i = 0; i < depth_; ++i) pages_[i].release();
      depth_ = 0;
      return Status::ok();
    }
    ++index_[level];
    for (int i = level + 1; i < depth_; ++i) pages_[i].release();
    depth_ = level + 1;
    SFS_TRY(descend_leftmost());
  }
  return Status::ok();
}

Status BTreeCursor::prev() {
  if (state_ == State::kSaved) {
    SFS_TRY(restore());
    if (state_ == State::kInvalid) return last();  // the saved key was past the last entry
    between_ = false;
  }
  if (state_ != State::kValid) return Status::ok();
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  at_last_ = false;
  --index_[depth_ - 1];
  while (index_[depth_ - 1] < 0) {
    int level = depth_ - 2;
    while (level >= 0 && index_[level] == 0) --level;
    if (level < 0) {
      state_ = State::kInvalid;
      for (int i = 0; i < depth_; ++i) pages_[i].release();
      depth_ = 0;
      return Status::ok();
    }
    --index_[level];
    for (int i = level + 1; i < depth_; ++i) pages_[i].release();
    depth_ = level + 1;
    SFS_TRY(descend_rightmost());
  }
  return Status::ok();
}

// ---- cursor: reading -------------------------------------------------------------------------

Status BTreeCursor::parse_current() {
  if (cell_parsed_) return Status::ok();
  const PageRef& page = pages_[depth_ - 1];
  SFS_TRY(node::parse_cell(page.data(), page.pgno(), index_[depth_ - 1], &cell_));
  cell_parsed_ = true;
  return Status::ok();
}

Result<std::string_view> BTreeCursor::key() {
  if (state_ == State::kSaved) SFS_TRY(restore());
  if (state_ != State::kValid) return Status::internal("cursor is not on an entry");
  if (!key_loaded_) {
    SFS_TRY(parse_current());
    SFS_ASSIGN_OR_RETURN(key_, node::cell_key(pager_, pages_[depth_ - 1].data(), cell_, &key_buffer_));
    key_loaded_ = true;
  }
  return key_;
}

Result<std::string_view> BTreeCursor::value() {
  if (state_ == State::kSaved) SFS_TRY(restore());
  if (state_ != State::kValid) return Status::internal("cursor is not on an entry");
  if (!value_loaded_) {
    const uint8_t* p = pages_[depth_ - 1].data();
    SFS_TRY(parse_current());
    const Cell& cell = cell_;
    if (cell.payload_size() <= cell.local) {
      value_ = std::string_view(reinterpret_cast<const char*>(p + cell.payload + cell.key_size),
                                cell.value_size);
    } else {
      SFS_TRY(node::read_payload(pager_, p, cell, cell.key_size, cell.value_size,
                                 &value_buffer_));
      value_ = value_buffer_;
    }
    value_loaded_ = true;
  }
  return value_;
}

// ---- cursor: changing the tree ---------------------------------------------------------------

Status BTreeCursor::insert(std::string_view key, std::string_view value, bool* replaced) {
  return insert_impl(key, value, replaced, true);
}

Status BTreeCursor::insert_new(std::string_view key, std::string_view value, bool* existed) {
  return insert_impl(key, value, existed, false);
}

Status BTreeCursor::append(std::string_view key, std::string_view value) {
  if (!(state_ == State::kValid && at_last_ && depth_ > 0)) return insert(key, value);
  {
    auto current = this->key();
    if (!current.is_ok() || compare_bytes(*current, key) >= 0) return insert(key, value);
  }
  if (registry_ != nullptr) registry_->save_all(root_, this);
  std::string key_copy(key);
  int leaf = depth_ - 1;
  SFS_TRY(pager_->make_writable(pages_[leaf]));
  SFS_TRY(node::build_cell(pager_, true, 0, key, value, &cell_buffer_));
  // The path is the rightmost one: every interior index already points at its right child.
  SFS_TRY(insert_cell(leaf, index_[leaf] + 1, cell_buffer_));
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  saved_key_ = std::move(key_copy);
  state_ = State::kSaved;
  at_last_ = false;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  return Status::ok();
}

Status BTreeCursor::insert_impl(std::string_view key, std::string_view value, bool* replaced,
                                bool replace) {
  if (registry_ != nullptr) registry_->save_all(root_, this);
  std::string key_copy(key);
  bool exact = false;
  // Descend to the leaf that should hold the key (seek() without stepping past the leaf end).
  SFS_TRY(move_to_root());
  std::string scratch;
  while (true) {
    const uint8_t* p = pages_[depth_ - 1].data();
    uint32_t pgno = pages_[depth_ - 1].pgno();
    int n = node::cell_count(p);
    int lo = 0, hi = n;
    bool leaf = node::is_leaf(p);
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      SFS_COMPARE_CELL_KEY(c, pager_, p, pgno, leaf, mid, key, &scratch);
      if (leaf ? c < 0 : c <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
        if (c == 0) exact = true;
      }
    }
    index_[depth_ - 1] = lo;
    if (leaf) break;
    if (depth_ >= kMaxDepth) return node::corrupt(pgno, "tree too deep");
    SFS_ASSIGN_OR_RETURN(uint32_t child, child_at(p, pgno, lo));
    SFS_ASSIGN_OR_RETURN(pages_[depth_], pager_->get(child));
    SFS_TRY(node::check_header(pages_[depth_].data(), child));
    ++depth_;
  }
  if (replaced != nullptr) *replaced = exact;
  int leaf = depth_ - 1;
  if (exact && !replace) {
    state_ = State::kValid;
    key_loaded_ = value_loaded_ = cell_parsed_ = false;
    return Status::ok();
  }
  SFS_TRY(pager_->make_writable(pages_[leaf]));
  if (exact) {
    Cell old;
    SFS_TRY(node::parse_cell(pages_[leaf].data(), pages_[leaf].pgno(), index_[leaf], &old));
    SFS_TRY(node::free_overflow(pager_, old));
    node::remove(pages_[leaf].mutable_data(), index_[leaf], old.size);
  }
  SFS_TRY(node::build_cell(pager_, true, 0, key, value, &cell_buffer_));
  SFS_TRY(insert_cell(leaf, index_[leaf], cell_buffer_));
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  saved_key_ = std::move(key_copy);
  state_ = State::kSaved;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  return Status::ok();
}

Status BTreeCursor::insert_cell(int level, int index, std::string_view cell) {
  PageRef& page = pages_[level];
  SFS_TRY(pager_->make_writable(page));
  SFS_ASSIGN_OR_RETURN(bool fitted, node::insert(page.mutable_data(), page.pgno(), index, cell));
  if (fitted) return Status::ok();
  return split(level, index, cell);
}

Status BTreeCursor::split_root() {
  if (depth_ >= kMaxDepth) return node::corrupt(root_, "tree too deep");
  SFS_ASSIGN_OR_RETURN(PageRef child, pager_->allocate());
  PageRef& root = pages_[0];
  SFS_TRY(pager_->make_writable(root));
  std::memcpy(child.mutable_data(), root.data(), kPageSize);
  node::rebuild(root.mutable_data(), node::kInterior, {}, child.pgno());
  for (int i = depth_; i >= 1; --i) {
    pages_[i] = std::move(pages_[i - 1]);
    index_[i] = index_[i - 1];
  }
  pages_[1] = std::move(child);
  pages_[0] = PageRef();
  SFS_ASSIGN_OR_RETURN(pages_[0], pager_->get(root_));
  index_[0] = 0;
  ++depth_;
  return Status::ok();
}

Status BTreeCursor::split(int level, int index, std::string_view cell) {
  if (level == 0) {
    SFS_TRY(split_root());
    level = 1;
  }
  PageRef& page = pages_[level];
  SFS_TRY(pager_->make_writable(page));
  const uint8_t* p = page.data();
  bool leaf = node::is_leaf(p);
  uint32_t old_right = node::right_child(p);
  std::vector<std::string> cells;
  SFS_TRY(node::cells(p, page.pgno(), &cells));
  size_t old_count = cells.size();
  cells.insert(cells.begin() + index, std::string(cell));

  int parent_level = level - 1;
  const uint8_t* parent = pages_[parent_level].data();
  bool rightmost = index_[parent_level] >= node::cell_count(parent);

  std::vector<std::string> left, right;
  std::string parent_cell;
  uint32_t left_right_child = 0;
  SFS_ASSIGN_OR_RETURN(PageRef sibling, pager_->allocate());
  if (leaf) {
    size_t split_at;
    if (static_cast<size_t>(index) == old_count && rightmost) {
      split_at = old_count;  // appending at the end of the tree: keep the old page full
    } else {
      size_t total = 0;
      for (const auto& c : cells) total += c.size() + 2;
      size_t running = 0;
      split_at = 0;
      while (split_at < cells.size() - 1 && running + cells[split_at].size() + 2 <= total / 2) {
        running += cells[split_at].size() + 2;
        ++split_at;
      }
      if (split_at == 0) split_at = 1;
    }
    left.assign(std::make_move_iterator(cells.begin()),
                std::make_move_iterator(cells.begin() + split_at));
    right.assign(std::make_move_iterator(cells.begin() + split_at),
                 std::make_move_iterator(cells.end()));
    std::string left_key, right_key;
    SFS_TRY(key_of_leaf_cell(pager_, left.back(), &left_key));
    SFS_TRY(key_of_leaf_cell(pager_, right.front(), &right_key));
    if (compare_bytes(left_key, right_key) >= 0) {
      return node::corrupt(page.pgno(), "keys out of order");
    }
    SFS_TRY(node::build_cell(pager_, false, page.pgno(),
                             shortest_separator(left_key, right_key), {}, &parent_cell));
  } else {
    size_t total = 0;
    for (const auto& c : cells) total += c.size() + 2;
    size_t running = 0;
    size_t middle = 0;
    while (middle < cells.size() - 1 && running + cells[middle].size() + 2 <= total / 2) {
      running += cells[middle].size() + 2;
      ++middle;
    }
    left.assign(std::make_move_iterator(cells.begin()),
                std::make_move_iterator(cells.begin() + middle));
    right.assign(std::make_move_iterator(cells.begin() + middle + 1),
                 std::make_move_iterator(cells.end()));
    const std::string& up = cells[middle];
    left_right_child = get_u32(reinterpret_cast<const uint8_t*>(up.data()));
    // The middle cell moves up: same key bytes (and overflow chain), new child pointer.
    parent_cell = up;
    put_u32(reinterpret_cast<uint8_t*>(parent_cell.data()), page.pgno());
  }
  node::rebuild(page.mutable_data(), leaf ? node::kLeaf : node::kInterior, left, left_right_child);
  node::rebuild(sibling.mutable_data(), leaf ? node::kLeaf : node::kInterior, right,
                leaf ? 0 : old_right);
  // In the parent, the pointer that led here now leads to the right half, and a new cell
  // (this page, separator) goes in front of it.
  PageRef& parent_page = pages_[parent_level];
  SFS_TRY(pager_->make_writable(parent_page));
  uint8_t* pp = parent_page.mutable_data();
  int c = index_[parent_level];
  if (c < node::cell_count(pp)) {
    Cell pointer;
    SFS_TRY(node::parse_cell(pp, parent_page.pgno(), c, &pointer));
    put_u32(pp + pointer.offset, sibling.pgno());
  } else {
    put_u32(pp + 8, sibling.pgno());
  }
  return insert_cell(parent_level, c, parent_cell);
}

Status BTreeCursor::remove() {
  if (state_ == State::kSaved) {
    SFS_TRY(restore());
    if (between_) return Status::internal("cursor entry was already removed");
  }
  if (state_ != State::kValid) return Status::internal("cursor is not on an entry");
  if (registry_ != nullptr) registry_->save_all(root_, this);
  SFS_ASSIGN_OR_RETURN(std::string_view key, this->key());
  std::string removed_key(key);
  int leaf = depth_ - 1;
  PageRef& page = pages_[leaf];
  Cell cell;
  SFS_TRY(node::parse_cell(page.data(), page.pgno(), index_[leaf], &cell));
  SFS_TRY(node::free_overflow(pager_, cell));
  SFS_TRY(pager_->make_writable(page));
  node::remove(page.mutable_data(), index_[leaf], cell.size);
  if (depth_ > 1) {
    if (node::cell_count(page.data()) == 0) {
      uint32_t pgno = page.pgno();
      page.release();
      SFS_TRY(pager_->free_page(pgno));
      SFS_TRY(remove_child(leaf - 1, index_[leaf - 1]));
    } else {
      SFS_TRY(merge_leaf_if_sparse());
    }
    SFS_TRY(collapse_root());
  }
  for (int i = 0; i < depth_; ++i) pages_[i].release();
  depth_ = 0;
  saved_key_ = std::move(removed_key);
  state_ = State::kSaved;
  key_loaded_ = value_loaded_ = cell_parsed_ = false;
  return Status::ok();
}

Status BTreeCursor::remove_child(int level, int index) {
  PageRef& page = pages_[level];
  SFS_TRY(pager_->make_writable(page));
  uint8_t* p = page.mutable_data();
  int n = node::cell_count(p);
  if (n == 0) {
    // Its only child is gone: the node is empty too.
    if (level == 0) {
      node::rebuild(p, node::kLeaf, {}, 0);
      return Status::ok();
    }
    uint32_t pgno = page.pgno();
    page.release();
    SFS_TRY(pager_->free_page(pgno));
    return remove_child(level - 1, index_[level - 1]);
  }
  if (index < n) {
    Cell cell;
    SFS_TRY(node::parse_cell(p, page.pgno(), index, &cell));
    SFS_TRY(node::free_overflow(pager_, cell));
    node::remove(p, index, cell.size);
  } else {
    // The right child is gone: the last cell's child takes its place.
    Cell cell;
    SFS_TRY(node::parse_cell(p, page.pgno(), n - 1, &cell));
    SFS_TRY(node::free_overflow(pager_, cell));
    uint32_t child = cell.child;
    node::remove(p, n - 1, cell.size);
    put_u32(p + 8, child);
  }
  return Status::ok();
}

Status BTreeCursor::merge_leaf_if_sparse() {
  int leaf = depth_ - 1;
  const uint8_t* p = pages_[leaf].data();
  uint32_t used = kPageSize - node::kHeaderSize - node::free_bytes(p);
  if (used > kPageSize / 4) return Status::ok();
  int parent_level = leaf - 1;
  PageRef& parent = pages_[parent_level];
  int n = node::cell_count(parent.data());
  int c = index_[parent_level];
  if (n == 0) return Status::ok();
  int left_index = c < n ? c : c - 1;  // merge children left_index and left_index + 1
  SFS_ASSIGN_OR_RETURN(uint32_t left_pgno, child_at(parent.data(), parent.pgno(), left_index));
  SFS_ASSIGN_OR_RETURN(uint32_t right_pgno,
                       child_at(parent.data(), parent.pgno(), left_index + 1));
  SFS_ASSIGN_OR_RETURN(PageRef left, pager_->get(left_pgno));
  SFS_ASSIGN_OR_RETURN(PageRef right, pager_->get(right_pgno));
  SFS_TRY(node::check_header(left.data(), left_pgno));
  SFS_TRY(node::check_header(right.data(), right_pgno));
  if (!node::is_leaf(left.data()) || !node::is_leaf(right.data())) return Status::ok();
  std::vector<std::string> cells, right_cells;
  SFS_TRY(node::cells(left.data(), left_pgno, &cells));
  SFS_TRY(node::cells(right.data(), right_pgno, &right_cells));
  size_t total = node::kHeaderSize;
  for (const auto& cell : cells) total += cell.size() + 2;
  for (const auto& cell : right_cells) total += cell.size() + 2;
  if (total > kPageSize) return Status::ok();
  for (auto& cell : right_cells) cells.push_back(std::move(cell));
  SFS_TRY(pager_->make_writable(right));
  node::rebuild(right.mutable_data(), node::kLeaf, cells, 0);
  left.release();
  right.release();
  pages_[leaf].release();
  SFS_TRY(pager_->free_page(left_pgno));
  // Dropping the separator of the left child routes its key range to the merged right child.
  SFS_TRY(pager_->make_writable(parent));
  Cell cell;
  SFS_TRY(node::parse_cell(parent.data(), parent.pgno(), left_index, &cell));
  SFS_TRY(node::free_overflow(pager_, cell));
  node::remove(parent.mutable_data(), left_index, cell.size);
  return Status::ok();
}

Status BTreeCursor::collapse_root() {
  for (int guard = 0; guard < kMaxDepth; ++guard) {
    SFS_ASSIGN_OR_RETURN(PageRef root, pager_->get(root_));
    const uint8_t* p = root.data();
    if (node::is_leaf(p) || node::cell_count(p) > 0) return Status::ok();
    uint32_t child_pgno = node::right_child(p);
    SFS_ASSIGN_OR_RETURN(PageRef child, pager_->get(child_pgno));
    SFS_TRY(node::check_header(child.data(), child_pgno));
    SFS_TRY(pager_->make_writable(root));
    std::memcpy(root.mutable_data(), child.data(), kPageSize);
    child.release();
    SFS_TRY(pager_->free_page(child_pgno));
  }
  return Status::ok();
}

}  // namespace sfs::sql
