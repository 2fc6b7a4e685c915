// Internal to the B-tree: the byte layout of node pages, overflow chains and cells, with bounds
// checks on everything read from disk (a corrupt page yields Status::corruption, never a read
// outside the page). Used by btree.cc and integrity.cc; see FILE_FORMAT.md for the layout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "systems/sql/bytes.h"
#include "systems/sql/pager.h"

namespace sfs::sql::node {

inline constexpr uint8_t kLeaf = 0x0D;
inline constexpr uint8_t kInterior = 0x05;
inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxLocal = 1000;  // payload bytes kept on the page without overflow
inline constexpr size_t kMinLocal = 480;
inline constexpr size_t kOverflowData = kPageSize - 4;
inline constexpr uint64_t kMaxPayload = uint64_t{1} << 31;

// Node header fields.
inline uint8_t type(const uint8_t* p) { return p[0]; }
inline bool is_leaf(const uint8_t* p) { return p[0] == kLeaf; }
inline int cell_count(const uint8_t* p) { return get_u16(p + 2); }
inline uint32_t content_start(const uint8_t* p) {
  uint32_t v = get_u16(p + 4);
  return v == 0 ? kPageSize : v;
}
inline uint32_t fragmented(const uint8_t* p) { return get_u16(p + 6); }
inline uint32_t right_child(const uint8_t* p) { return get_u32(p + 8); }
inline uint16_t cell_pointer(const uint8_t* p, int i) { return get_u16(p + kHeaderSize + 2 * i); }

// Bytes of payload stored on the page for a payload of `payload` bytes.
inline size_t local_size(uint64_t payload) {
  if (payload <= kMaxLocal) return static_cast<size_t>(payload);
  size_t local = kMinLocal + static_cast<size_t>((payload - kMinLocal) % kOverflowData);
  return local > kMaxLocal ? kMinLocal : local;
}
// Overflow pages needed for a payload.
inline uint64_t overflow_pages(uint64_t payload) {
  size_t local = local_size(payload);
  return (payload - local + kOverflowData - 1) / kOverflowData;
}

struct Cell {
  uint32_t offset = 0;      // on the page
  uint32_t size = 0;        // bytes on the page
  uint32_t child = 0;       // interior cells
  uint64_t key_size = 0;
  uint64_t value_size = 0;  // leaf cells
  uint32_t local = 0;       // payload bytes on the page
  uint32_t payload = 0;     // page offset of the payload
  uint32_t overflow = 0;    // first overflow page, or 0
  uint64_t payload_size() const { return key_size + value_size; }
};

Status corrupt(uint32_t pgno, const std::string& what);

// Validates the node header of page `pgno`.
Status check_header(const uint8_t* p, uint32_t pgno);
// Parses the cell that starts at `offset` of a page of the given type.
Status parse_cell_at(const uint8_t* p, uint32_t pgno, bool leaf, uint32_t offset, Cell* cell);
inline Status parse_cell(const uint8_t* p, uint32_t pgno, int index, Cell* cell) {
  return parse_cell_at(p, pgno, is_leaf(p), cell_pointer(p, index), cell);
}

// Bytes [from, from + size) of a cell's payload, following its overflow chain.
Status read_payload(Pager* pager, const uint8_t* p, const Cell& cell, uint64_t from,
                    uint64_t size, std::string* out);
// The cell's key: a view into the page when it is all there, else a copy in *scratch.
Result<std::string_view> cell_key(Pager* pager, const uint8_t* p, const Cell& cell,
                                  std::string* scratch);

// Builds a cell's bytes in *out, writing overflow pages for what does not stay on the page.
Status build_cell(Pager* pager, bool leaf, uint32_t child, std::string_view key,
                  std::string_view value, std::string* out);
// Frees the overflow chain of a cell.
Status free_overflow(Pager* pager, const Cell& cell);

// Page editing. insert() returns false when the cell does not fit even after defragmenting.
Result<bool> insert(uint8_t* p, uint32_t pgno, int index, std::string_view cell);
void remove(uint8_t* p, int index, uint32_t cell_size);
void rebuild(uint8_t* p, uint8_t type, const std::vector<std::string>& cells, uint32_t right);
// Every cell's bytes, in order.
Status cells(const uint8_t* p, uint32_t pgno, std::vector<std::string>* out);
// Free bytes on the page (gap + fragments).
inline uint32_t free_bytes(const uint8_t* p) {
  return content_start(p) - static_cast<uint32_t>(kHeaderSize + 2 * cell_count(p)) +
         fragmented(p);
}

}  // namespace sfs::sql::node
