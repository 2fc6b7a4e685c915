// Node pages, cells and overflow chains (see btree_node.h).
#include "systems/sql/btree_node.h"

#include <algorithm>
#include <cstring>

namespace sfs::sql::node {

Status corrupt(uint32_t pgno, const std::string& what) {
  return Status::corruption("database disk image is malformed: page " + std::to_string(pgno) +
                            ": " + what);
}

Status check_header(const uint8_t* p, uint32_t pgno) {
  if (p[0] != kLeaf && p[0] != kInterior) {
    return corrupt(pgno, "not a B-tree page (type " + std::to_string(p[0]) + ")");
  }
  uint32_t n = cell_count(p);
  uint32_t content = content_start(p);
  if (kHeaderSize + 2 * n > content || content > kPageSize || fragmented(p) > kPageSize) {
    return corrupt(pgno, "bad node header");
  }
  return Status::ok();
}

Status parse_cell_at(const uint8_t* p, uint32_t pgno, bool leaf, uint32_t offset, Cell* cell) {
  uint32_t n = cell_count(p);
  if (offset < kHeaderSize + 2 * n || offset >= kPageSize) return corrupt(pgno, "bad cell offset");
  const uint8_t* q = p + offset;
  const uint8_t* end = p + kPageSize;
  cell->offset = offset;
  if (!leaf) {
    if (q + 4 > end) return corrupt(pgno, "truncated cell");
    cell->child = get_u32(q);
    q += 4;
  }
  size_t used = get_varint(q, end, &cell->key_size);
  if (used == 0) return corrupt(pgno, "bad key size");
  q += used;
  cell->value_size = 0;
  if (leaf) {
    used = get_varint(q, end, &cell->value_size);
    if (used == 0) return corrupt(pgno, "bad value size");
    q += used;
  }
  if (cell->key_size > kMaxPayload || cell->value_size > kMaxPayload) {
    return corrupt(pgno, "payload too large");
  }
  uint64_t payload = cell->payload_size();
  size_t local = local_size(payload);
  size_t need = local + (local < payload ? 4 : 0);
  if (static_cast<size_t>(end - q) < need) return corrupt(pgno, "cell extends past the page");
  cell->local = static_cast<uint32_t>(local);
  cell->payload = static_cast<uint32_t>(q - p);
  cell->overflow = local < payload ? get_u32(q + local) : 0;
  cell->size = static_cast<uint32_t>(q - (p + offset) + need);
  return Status::ok();
}

Status read_payload(Pager* pager, const uint8_t* p, const Cell& cell, uint64_t from,
                    uint64_t size, std::string* out) {
  out->clear();
  if (from + size > cell.payload_size()) return Status::internal("payload read out of range");
  out->reserve(size);
  if (from < cell.local) {
    uint64_t take = std::min<uint64_t>(size, cell.local - from);
    out->append(reinterpret_cast<const char*>(p + cell.payload + from), take);
    from += take;
    size -= take;
  }
  if (size == 0) return Status::ok();
  uint64_t remaining_pages = overflow_pages(cell.payload_size());
  uint64_t position = cell.local;  // payload offset at the start of the current overflow page
  uint32_t pgno = cell.overflow;
  while (size > 0) {
    if (remaining_pages-- == 0 || pgno < 2) return corrupt(pgno, "overflow chain too short");
    if (from >= position + kOverflowData) {
      // Skip a page without copying: only its next pointer is needed.
      SFS_ASSIGN_OR_RETURN(PageRef page, pager->get(pgno));
      pgno = get_u32(page.data());
      position += kOverflowData;
      continue;
    }
    SFS_ASSIGN_OR_RETURN(PageRef page, pager->get(pgno));
    uint64_t in_page = from - position;
    uint64_t take = std::min<uint64_t>(size, kOverflowData - in_page);
    out->append(reinterpret_cast<const char*>(page.data() + 4 + in_page), take);
    from += take;
    size -= take;
    position += kOverflowData;
    pgno = get_u32(page.data());
  }
  return Status::ok();
}

Result<std::string_view> cell_key(Pager* pager, const uint8_t* p, const Cell& cell,
                                  std::string* scratch) {
  if (cell.key_size <= cell.local) {
    return std::string_view(reinterpret_cast<const char*>(p + cell.payload), cell.key_size);
  }
  SFS_TRY(read_payload(pager, p, cell, 0, cell.key_size, scratch));
  return std::string_view(*scratch);
}

Status build_cell(Pager* pager, bool leaf, uint32_t child, std::string_view key,
                  std::string_view value, std::string* out) {
  out->clear();
  if (key.size() + value.size() > kMaxPayload) return Status::limit_exceeded("string or blob too big");
  uint8_t head[24];
  size_t n = 0;
  if (!leaf) {
    put_u32(head, child);
    n = 4;
  }
  n += put_varint(head + n, key.size());
  if (leaf) n += put_varint(head + n, value.size());
  out->append(reinterpret_cast<const char*>(head), n);
  uint64_t payload = key.size() + value.size();
  size_t local = local_size(payload);
  auto payload_byte_range = [&](uint64_t from, uint64_t count, std::string* dst) {
    // Appends payload bytes [from, from + count) where payload = key ++ value.
    if (from < key.size()) {
      uint64_t take = std::min<uint64_t>(count, key.size() - from);
      dst->append(key.substr(from, take));
      from += take;
      count -= take;
    }
    if (count > 0) dst->append(value.substr(from - key.size(), count));
  };
  payload_byte_range(0, local, out);
  if (local == payload) return Status::ok();
  // The rest goes to a chain of overflow pages, each [next u32][data].
  uint64_t at = local;
  PageRef previous;
  uint32_t first = 0;
  std::string chunk;
  while (at < payload) {
    SFS_ASSIGN_OR_RETURN(PageRef page, pager->allocate());
    if (previous) {
      put_u32(previous.mutable_data(), page.pgno());
    } else {
      first = page.pgno();
    }
    uint64_t take = std::min<uint64_t>(payload - at, kOverflowData);
    chunk.clear();
    payload_byte_range(at, take, &chunk);
    std::memcpy(page.mutable_data() + 4, chunk.data(), chunk.size());
    at += take;
    previous = std::move(page);
  }
  uint8_t pointer[4];
  put_u32(pointer, first);
  out->append(reinterpret_cast<const char*>(pointer), 4);
  return Status::ok();
}

Status free_overflow(Pager* pager, const Cell& cell) {
  if (cell.overflow == 0) return Status::ok();
  uint64_t count = overflow_pages(cell.payload_size());
  uint32_t pgno = cell.overflow;
  for (uint64_t i = 0; i < count; ++i) {
    if (pgno < 2) return corrupt(pgno, "overflow chain too short");
    uint32_t next;
    {
      SFS_ASSIGN_OR_RETURN(PageRef page, pager->get(pgno));
      next = get_u32(page.data());
    }
    SFS_TRY(pager->free_page(pgno));
    pgno = next;
  }
  return Status::ok();
}

namespace {

// Rewrites the page with its cells packed at the end (no fragments).
Status defragment(uint8_t* p, uint32_t pgno) {
  int n = cell_count(p);
  bool leaf = is_leaf(p);
  uint8_t copy[kPageSize];
  std::memcpy(copy, p, kPageSize);
  uint32_t content = kPageSize;
  for (int i = 0; i < n; ++i) {
    Cell cell;
    SFS_TRY(parse_cell_at(copy, pgno, leaf, cell_pointer(copy, i), &cell));
    content -= cell.size;
    if (content < kHeaderSize + 2 * n) return corrupt(pgno, "cells overlap");
    std::memcpy(p + content, copy + cell.offset, cell.size);
    put_u16(p + kHeaderSize + 2 * i, static_cast<uint16_t>(content));
  }
  put_u16(p + 4, static_cast<uint16_t>(content == kPageSize ? 0 : content));
  put_u16(p + 6, 0);
  return Status::ok();
}

}  // namespace

Result<bool> insert(uint8_t* p, uint32_t pgno, int index, std::string_view cell) {
  int n = cell_count(p);
  uint32_t content = content_start(p);
  uint32_t pointers_end = static_cast<uint32_t>(kHeaderSize + 2 * n);
  uint32_t need = static_cast<uint32_t>(cell.size()) + 2;
  if (content < pointers_end + need) {
    if (content - pointers_end + fragmented(p) < need) return false;
    SFS_TRY(defragment(p, pgno));
    content = content_start(p);
  }
  content -= static_cast<uint32_t>(cell.size());
  std::memcpy(p + content, cell.data(), cell.size());
  uint8_t* pointers = p + kHeaderSize;
  std::memmove(pointers + 2 * (index + 1), pointers + 2 * index, 2 * (n - index));
  put_u16(pointers + 2 * index, static_cast<uint16_t>(content));
  put_u16(p + 2, static_cast<uint16_t>(n + 1));
  put_u16(p + 4, static_cast<uint16_t>(content));
  return true;
}

void remove(uint8_t* p, int index, uint32_t cell_size) {
  int n = cell_count(p);
  uint32_t offset = cell_pointer(p, index);
  uint8_t* pointers = p + kHeaderSize;
  std::memmove(pointers + 2 * index, pointers + 2 * (index + 1), 2 * (n - index - 1));
  put_u16(p + 2, static_cast<uint16_t>(n - 1));
  if (offset == content_start(p)) {
    uint32_t content = offset + cell_size;
    put_u16(p + 4, static_cast<uint16_t>(content >= kPageSize ? 0 : content));
  } else {
    put_u16(p + 6, static_cast<uint16_t>(fragmented(p) + cell_size));
  }
  if (n - 1 == 0) {  // an empty page has no fragments
    put_u16(p + 4, 0);
    put_u16(p + 6, 0);
  }
}

void rebuild(uint8_t* p, uint8_t type, const std::vector<std::string>& cells, uint32_t right) {
  std::memset(p, 0, kHeaderSize);
  p[0] = type;
  uint32_t content = kPageSize;
  for (size_t i = 0; i < cells.size(); ++i) {
    content -= static_cast<uint32_t>(cells[i].size());
    std::memcpy(p + content, cells[i].data(), cells[i].size());
    put_u16(p + kHeaderSize + 2 * i, static_cast<uint16_t>(content));
  }
  put_u16(p + 2, static_cast<uint16_t>(cells.size()));
  put_u16(p + 4, static_cast<uint16_t>(content == kPageSize ? 0 : content));
  put_u32(p + 8, right);
  // Clear the gap so that freed data does not linger on disk.
  uint32_t gap_start = static_cast<uint32_t>(kHeaderSize + 2 * cells.size());
  if (content > gap_start) std::memset(p + gap_start, 0, content - gap_start);
}

Status cells(const uint8_t* p, uint32_t pgno, std::vector<std::string>* out) {
  out->clear();
  int n = cell_count(p);
  out->reserve(n + 1);
  for (int i = 0; i < n; ++i) {
    Cell cell;
    SFS_TRY(parse_cell(p, pgno, i, &cell));
    out->emplace_back(reinterpret_cast<const char*>(p + cell.offset), cell.size);
  }
  return Status::ok();
}

}  // namespace sfs::sql::node
