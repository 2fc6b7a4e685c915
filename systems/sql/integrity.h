// The structural integrity check behind PRAGMA integrity_check (the storage half; the SQL
// layer adds the table/index agreement check on top).
//
// It walks every B-tree from its root and verifies, page by page: the node header, that every
// cell lies inside the page and no two cells (or the cell-pointer array) overlap, that keys are
// strictly increasing and inside the range their parent's separators allow, that all leaves are
// at the same depth, and that every overflow chain has exactly the pages its payload needs. Then
// it walks the free list, and finally checks that every page of the file is used exactly once:
// by a tree, an overflow chain or the free list. Problems are reported as messages, up to a
// limit; a clean database reports none.
#pragma once

#include <string>
#include <vector>

#include "systems/sql/pager.h"

namespace sfs::sql {

// Checks the trees rooted at `roots` (with a name for each, used in messages), the free list
// and page accounting. Appends one message per problem to *errors (at most `max_errors`).
// REQUIRES: an open transaction on `pager`.
Status check_integrity(Pager* pager, const std::vector<std::pair<std::string, uint32_t>>& roots,
                       std::vector<std::string>* errors, size_t max_errors = 100);

}  // namespace sfs::sql
