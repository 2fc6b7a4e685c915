// Structural integrity check (see integrity.h).
#include "systems/sql/integrity.h"

#include <cstring>
#include <optional>

#include "systems/sql/btree_node.h"

namespace sfs::sql {
namespace {

using node::Cell;

int compare_bytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

class Checker {
 public:
  Checker(Pager* pager, std::vector<std::string>* errors, size_t max_errors)
      : pager_(pager), errors_(errors), max_errors_(max_errors), used_(pager->page_count() + 1) {}

  bool full() const { return errors_->size() >= max_errors_; }

  void error(const std::string& message) {
    if (!full()) errors_->push_back(message);
  }

  // Marks a page as used; false (with a message) when it is out of range or already used.
  bool claim(uint32_t pgno, const std::string& what) {
    if (pgno < 2 || pgno > pager_->page_count()) {
      error(what + ": page " + std::to_string(pgno) + " is out of range");
      return false;
    }
    if (used_[pgno]) {
      error(what + ": page " + std::to_string(pgno) + " is used more than once");
      return false;
    }
    used_[pgno] = true;
    return true;
  }

  void check_overflow(const std::string& tree, const Cell& cell) {
    if (cell.overflow == 0) return;
    uint64_t count = node::overflow_pages(cell.payload_size());
    uint32_t pgno = cell.overflow;
    for (uint64_t i = 0; i < count; ++i) {
      if (!claim(pgno, tree + " overflow chain")) return;
      auto page = pager_->get(pgno);
      if (!page.is_ok()) {
        error(tree + ": " + page.status().message());
        return;
      }
      uint32_t next = get_u32(page->data());
      if (i + 1 == count && next != 0) {
        error(tree + ": overflow chain at page " + std::to_string(pgno) + " is too long");
      }
      pgno = next;
    }
  }

  // Checks the subtree at `pgno`; keys must be >= lower (when set) and < upper (when set).
  // Returns the depth of its leaves, or -1 after an error.
  int check_tree(const std::string& tree, uint32_t pgno, int depth,
                 const std::optional<std::string>& lower, const std::optional<std::string>& upper,
                 bool is_root) {
    if (full()) return -1;
    if (depth > 24) {
      error(tree + ": tree is too deep at page " + std::to_string(pgno));
      return -1;
    }
    if (!is_root && !claim(pgno, tree)) return -1;
    auto page_result = pager_->get(pgno);
    if (!page_result.is_ok()) {
      error(tree + ": " + page_result.status().message());
      return -1;
    }
    PageRef page = std::move(*page_result);
    const uint8_t* p = page.data();
    std::string where = tree + ": page " + std::to_string(pgno);
    Status header = node::check_header(p, pgno);
    if (!header.is_ok()) {
      error(where + ": " + header.message());
      return -1;
    }
    int n = node::cell_count(p);
    bool leaf = node::is_leaf(p);
    // Byte map: header + pointers, then each cell, must not overlap.
    std::vector<uint8_t> covered(kPageSize, 0);
    size_t pointers_end = node::kHeaderSize + 2 * n;
    std::memset(covered.data(), 1, pointers_end);
    size_t cell_bytes = 0;
    std::vector<Cell> cells(n);
    for (int i = 0; i < n; ++i) {
      Status parsed = node::parse_cell(p, pgno, i, &cells[i]);
      if (!parsed.is_ok()) {
        error(where + ": cell " + std::to_string(i) + ": " + parsed.message());
        return -1;
      }
      const Cell& cell = cells[i];
      if (cell.offset < node::content_start(p)) {
        error(where + ": cell " + std::to_string(i) + " starts before the content area");
      }
      for (uint32_t b = cell.offset; b < cell.offset + cell.size; ++b) {
        if (covered[b]) {
          error(where + ": cell " + std::to_string(i) + " overlaps another");
          return -1;
        }
        covered[b] = 1;
      }
      cell_bytes += cell.size;
    }
    size_t free_counted = node::free_bytes(p);
    if (pointers_end + cell_bytes + free_counted != kPageSize) {
      error(where + ": free space accounting is off (" + std::to_string(free_counted) +
            " free bytes claimed)");
    }
    // Keys in order and in range; children recursively.
    std::string previous, scratch;
    bool have_previous = false;
    int leaf_depth = -2;
    for (int i = 0; i < n; ++i) {
      const Cell& cell = cells[i];
      check_overflow(tree, cell);
      auto key = node::cell_key(pager_, p, cell, &scratch);
      if (!key.is_ok()) {
        error(where + ": " + key.status().message());
        return -1;
      }
      std::string k(*key);
      if (have_previous && compare_bytes(previous, k) >= 0) {
        error(where + ": keys out of order at cell " + std::to_string(i));
      }
      if (lower && compare_bytes(k, *lower) < 0) {
        error(where + ": key at cell " + std::to_string(i) + " is below its parent's range");
      }
      if (upper && compare_bytes(k, *upper) >= 0) {
        error(where + ": key at cell " + std::to_string(i) + " is above its parent's range");
      }
      if (!leaf) {
        std::optional<std::string> child_lower = have_previous ? std::optional(previous) : lower;
        int d = check_tree(tree, cell.child, depth + 1, child_lower, k, false);
        if (d < 0) return -1;
        if (leaf_depth == -2) leaf_depth = d;
        if (d != leaf_depth) error(where + ": leaves at different depths");
      }
      previous = std::move(k);
      have_previous = true;
    }
    if (leaf) return depth;
    std::optional<std::string> child_lower = have_previous ? std::optional(previous) : lower;
    int d = check_tree(tree, node::right_child(p), depth + 1, child_lower, upper, false);
    if (d < 0) return -1;
    if (leaf_depth != -2 && d != leaf_depth) error(where + ": leaves at different depths");
    return d;
  }

  void check_freelist() {
    uint32_t head = pager_->header(HeaderField::kFreelistHead);
    uint32_t expected = pager_->header(HeaderField::kFreelistCount);
    uint32_t counted = 0;
    for (uint32_t trunk = head; trunk != 0 && !full();) {
      if (!claim(trunk, "free list")) return;
      ++counted;
      auto page = pager_->get(trunk);
      if (!page.is_ok()) {
        error("free list: " + page.status().message());
        return;
      }
      uint32_t n = get_u32(page->data() + 4);
      if (n > (kPageSize - 8) / 4) {
        error("free list: trunk page " + std::to_string(trunk) + " has a bad entry count");
        return;
      }
      for (uint32_t i = 0; i < n; ++i) {
        if (claim(get_u32(page->data() + 8 + 4 * i), "free list")) ++counted;
      }
      trunk = get_u32(page->data());
    }
    if (counted != expected) {
      error("free list: the header counts " + std::to_string(expected) + " free pages, found " +
            std::to_string(counted));
    }
  }

  void check_accounting() {
    for (uint32_t pgno = 2; pgno <= pager_->page_count() && !full(); ++pgno) {
      if (!used_[pgno]) error("page " + std::to_string(pgno) + " is never used");
    }
  }

 private:
  Pager* pager_;
  std::vector<std::string>* errors_;
  size_t max_errors_;
  std::vector<bool> used_;
};

}  // namespace

Status check_integrity(Pager* pager, const std::vector<std::pair<std::string, uint32_t>>& roots,
                       std::vector<std::string>* errors, size_t max_errors) {
  if (pager->page_count() == 0) return Status::ok();
  Checker checker(pager, errors, max_errors);
  for (const auto& [name, root] : roots) {
    if (!checker.claim(root, name)) continue;
    checker.check_tree(name, root, 0, std::nullopt, std::nullopt, true);
  }
  checker.check_freelist();
  checker.check_accounting();
  return Status::ok();
}

}  // namespace sfs::sql
