// Access paths: positioning one loop level of a join on its source's next row — full scans,
// rowid lookups and ranges, index probes (equality prefix, IN lists, a range on the next
// column, forwards or backwards), and the cached scans of inner levels (see engine.h, Level).
//
// Index ranges are byte ranges over the order-preserving key encoding (key_encoding.h): for a
// probe prefix P and a range on the next column, the scan starts at P+enc(low) (or just past
// it, or just past P+enc(NULL) when there is no low bound) and stops before the prefix
// successor of P+enc(high). A DESC column swaps the roles of the bounds.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "systems/sql/database.h"
#include "systems/sql/engine.h"
#include "systems/sql/key_encoding.h"

namespace sfs::sql {
namespace {

// The prefix successor: the least string greater than every string starting with `s`
// ("" when there is none).
std::string successor(std::string s) {
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}

// A value compared with a rowid, as an exact integer; false when no integer equals it.
bool value_to_rowid(Value v, int64_t* out) {
  apply_numeric_affinity(&v);
  if (v.type() == ValueType::kInteger) {
    *out = v.int_value();
    return true;
  }
  if (v.type() == ValueType::kReal) {
    double r = v.real_value();
    if (r == std::floor(r) && r >= -9223372036854775808.0 && r < 9223372036854775808.0) {
      *out = static_cast<int64_t>(r);
      return true;
    }
  }
  return false;
}

BTreeCursor* table_cursor(Runtime& rt, Source* s) {
  if (!s->cursor) {
    Connection* c = rt.connection();
    s->cursor = std::make_unique<BTreeCursor>(c->pager(), s->table->root, c->registry());
  }
  return s->cursor.get();
}

BTreeCursor* index_cursor(Runtime& rt, Source* s, IndexInfo* index) {
  if (!s->index_cursor || s->index_cursor->root() != index->root) {
    Connection* c = rt.connection();
    s->index_cursor = std::make_unique<BTreeCursor>(c->pager(), index->root, c->registry());
  }
  if (s->scan_index != index) {
    s->scan_index = index;
    s->index_position.assign(s->columns.size(), -1);
    for (size_t k = 0; k < index->columns.size(); ++k) {
      int column = index->columns[k].column;
      if (column >= 0) s->index_position[column] = static_cast<int>(k);
    }
  }
  return s->index_cursor.get();
}

// The affinity a probe value takes before it is looked up in an index on a column of
// `column_affinity`: the column's, unless the comparison converts nothing (SQLite's
// codeAllEqualityTerms() drops the affinity then).
Affinity probe_affinity(Affinity comparison, Affinity column_affinity) {
  if (comparison == Affinity::kBlob || comparison == Affinity::kNone) return Affinity::kBlob;
  return column_affinity;
}

// Values of an IN term (list or subquery) with the affinity applied, NULLs dropped.
bool in_values(Runtime& rt, const Expr* in, Affinity affinity, std::vector<Value>* out) {
  out->clear();
  if (in->subquery != nullptr) {
    if (!run_subquery(rt, in->subquery)) return false;
    for (const Value& v : in->subquery->values) out->push_back(v);
  } else {
    for (const auto& item : in->args) {
      Value v;
      if (!rt.eval(item.get(), &v)) return false;
      if (!v.is_null()) out->push_back(std::move(v));
    }
  }
  for (Value& v : *out) apply_affinity(&v, affinity);
  return true;
}

Status set_index_row(Source* s, BTreeCursor* cursor) {
  SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
  size_t prefix = 0;
  if (!split_index_key(key, &s->rowid, &prefix)) {
    return Status::corruption("database disk image is malformed: bad index key");
  }
  s->on_index = true;
  s->moved();
  return Status::ok();
}

// Is the index cursor still inside the current probe's range?
Status index_in_range(Level& L, BTreeCursor* cursor, bool* ok) {
  if (!cursor->valid()) {
    *ok = false;
    return Status::ok();
  }
  SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
  const std::string& probe = L.probes[L.probe];
  if (!has_prefix(key, probe)) {
    *ok = false;
    return Status::ok();
  }
  if (L.reverse) {
    *ok = !L.has_start || key.compare(L.start) >= 0;
  } else {
    *ok = !L.has_end || key.compare(L.end) < 0;
  }
  return Status::ok();
}

// Computes the byte bounds of the range column within the current probe.
Status index_bounds(Runtime& rt, Level& L) {
  const std::string& probe = L.probes[L.probe];
  L.start = probe;
  L.has_start = true;
  L.end = successor(probe);
  L.has_end = !L.end.empty();
  size_t k = L.eq.size();
  if (L.low == nullptr && L.high == nullptr) return Status::ok();
  const IndexColumn& ic = L.index->columns[k];
  Affinity affinity = ic.column >= 0 ? L.source->table->columns[ic.column].affinity : Affinity::kInteger;
  auto bound = [&](Expr* e, Affinity comparison, std::string* key, bool* is_null) -> Status {
    Value v;
    if (!rt.eval(e, &v)) return rt.error;
    *is_null = v.is_null();
    apply_affinity(&v, probe_affinity(comparison, affinity));
    *key = probe;
    encode_key_value(v, ic.collation, ic.desc, key);
    return Status::ok();
  };
  std::string null_key = probe;
  encode_key_value(Value(), ic.collation, ic.desc, &null_key);
  // In byte order an ASC column runs low -> high, a DESC one high -> low.
  std::string low_key, high_key;
  bool low_null = false, high_null = false;
  if (L.low) SFS_TRY(bound(L.low, L.low_affinity, &low_key, &low_null));
  if (L.high) SFS_TRY(bound(L.high, L.high_affinity, &high_key, &high_null));
  if (low_null || high_null) {
    L.empty = true;
    return Status::ok();
  }
  if (!ic.desc) {
    if (L.low) {
      L.start = L.low_inclusive ? low_key : successor(low_key);
    } else {
      L.start = successor(null_key);  // skip NULLs
    }
    if (L.high) {
      std::string end = L.high_inclusive ? successor(high_key) : high_key;
      if (!end.empty() && (!L.has_end || end < L.end)) {
        L.end = end;
        L.has_end = true;
      }
    }
  } else {
    if (L.high) L.start = L.high_inclusive ? high_key : successor(high_key);
    std::string end;
    if (L.low) {
      end = L.low_inclusive ? successor(low_key) : low_key;
    } else {
      end = null_key;  // NULLs sort last in a DESC column
    }
    if (!end.empty() && (!L.has_end || end < L.end)) {
      L.end = end;
      L.has_end = true;
    }
  }
  return Status::ok();
}

Status index_seek_probe(Runtime& rt, Level& L, bool* ok) {
  BTreeCursor* cursor = index_cursor(rt, L.source, L.index);
  while (L.probe < L.probes.size()) {
    L.empty = false;
    SFS_TRY(index_bounds(rt, L));
    if (!L.empty && !(L.has_end && L.end <= L.start)) {
      if (L.reverse) {
        if (L.has_end) {
          SFS_TRY(cursor->seek(L.end));
          if (cursor->valid()) {
            SFS_TRY(cursor->prev());
          } else {
            SFS_TRY(cursor->last());
          }
        } else {
          SFS_TRY(cursor->last());
        }
      } else {
        SFS_TRY(cursor->seek(L.start));
      }
      SFS_TRY(index_in_range(L, cursor, ok));
      if (*ok) return set_index_row(L.source, cursor);
    }
    ++L.probe;
  }
  *ok = false;
  return Status::ok();
}

// The canonical bytes of a value for an equality under (affinity, collation).
bool hash_key(Value v, Affinity affinity, Collation collation, std::string* key) {
  if (affinity == Affinity::kNumeric) {
    apply_numeric_affinity(&v);
  } else if (affinity == Affinity::kText) {
    apply_affinity(&v, Affinity::kText);
  }
  key->clear();
  encode_key_value(v, collation, false, key);
  return true;
}

Status rowid_seek(Runtime& rt, Level& L, bool* ok) {
  BTreeCursor* cursor = table_cursor(rt, L.source);
  while (L.row < L.rowids.size()) {
    bool exact = false;
    SFS_TRY(cursor->seek(encode_rowid_key(L.rowids[L.row]), &exact));
    if (exact) {
      L.source->rowid = L.rowids[L.row];
      L.source->on_index = false;
      L.source->moved();
      *ok = true;
      return Status::ok();
    }
    ++L.row;
  }
  *ok = false;
  return Status::ok();
}

Status table_position(Level& L, BTreeCursor* cursor, bool* ok) {
  *ok = cursor->valid();
  if (!*ok) return Status::ok();
  SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
  int64_t rowid = decode_rowid_key(key);
  if (L.access == Access::kRowidRange) {
    if (L.reverse ? rowid < L.rowid_low : rowid > L.rowid_high) {
      *ok = false;
      return Status::ok();
    }
  }
  L.source->rowid = rowid;
  L.source->on_index = false;
  L.source->moved();
  return Status::ok();
}

}  // namespace

Status level_start(Runtime& rt, Level& L, bool* ok) {
  Source* s = L.source;
  s->null_row = false;
  *ok = false;
  if (s->table == nullptr) {
    // A materialized subquery (or a pseudo row).
    L.row = 0;
    *ok = !s->rows.empty();
    if (*ok) s->current = &s->rows[0];
    return Status::ok();
  }
  if (s->table->root == 0) return Status::ok();
  switch (L.access) {
    case Access::kScan: {
      BTreeCursor* cursor = table_cursor(rt, s);
      if (L.cache_rows) {
        if (!L.cache_ready) {
          // First time through: keep the rowids that pass this source's own filters (in a hash
          // table on the join column when there is one).
          L.cache.clear();
          L.hash.clear();
          SFS_TRY(cursor->first());
          std::string key;
          while (cursor->valid()) {
            bool positioned = false;
            SFS_TRY(table_position(L, cursor, &positioned));
            bool keep = true;
            for (size_t f = 0; f < L.self_filters && keep; ++f) {
              int t = rt.test(L.filters[f]);
              if (t < 0) return rt.error;
              keep = t == 1;
            }
            if (keep && L.hash_column >= 0) {
              Value v;
              if (!s->read(rt, L.hash_column, &v)) return rt.error;
              if (!v.is_null()) {
                if (!hash_key(v, L.hash_affinity, L.hash_collation, &key)) return rt.error;
                L.hash[key].push_back(s->rowid);
              }
            } else if (keep) {
              L.cache.push_back(s->rowid);
            }
            SFS_TRY(cursor->next());
          }
          if (L.reverse) std::reverse(L.cache.begin(), L.cache.end());
          L.cache_ready = true;
        }
        if (L.hash_column >= 0) {
          L.rowids.clear();
          Value probe;
          if (!rt.eval(L.hash_probe, &probe)) return rt.error;
          if (probe.is_null()) return Status::ok();
          std::string key;
          hash_key(probe, L.hash_affinity, L.hash_collation, &key);
          auto it = L.hash.find(key);
          if (it == L.hash.end()) return Status::ok();
          L.rowids = it->second;
          if (L.reverse) std::reverse(L.rowids.begin(), L.rowids.end());
        } else {
          L.rowids = L.cache;
        }
        L.row = 0;
        return rowid_seek(rt, L, ok);
      }
      if (L.reverse) {
        SFS_TRY(cursor->last());
      } else {
        SFS_TRY(cursor->first());
      }
      return table_position(L, cursor, ok);
    }
    case Access::kRowidEq: {
      L.rowids.clear();
      if (L.in_position == 0) {
        std::vector<Value> values;
        if (!in_values(rt, L.eq[0], Affinity::kNumeric, &values)) return rt.error;
        for (const Value& v : values) {
          int64_t r;
          if (value_to_rowid(v, &r)) L.rowids.push_back(r);
        }
        std::sort(L.rowids.begin(), L.rowids.end());
        L.rowids.erase(std::unique(L.rowids.begin(), L.rowids.end()), L.rowids.end());
        if (L.reverse) std::reverse(L.rowids.begin(), L.rowids.end());
      } else {
        Value v;
        if (!rt.eval(L.eq[0], &v)) return rt.error;
        int64_t r;
        if (!v.is_null() && value_to_rowid(v, &r)) L.rowids.push_back(r);
      }
      L.row = 0;
      return rowid_seek(rt, L, ok);
    }
    case Access::kRowidRange: {
      L.rowid_low = INT64_MIN;
      L.rowid_high = INT64_MAX;
      auto bound = [&](Expr* e, bool is_low, bool inclusive) -> int {  // 1 ok, 0 empty, -1 error
        Value v;
        if (!rt.eval(e, &v)) return -1;
        if (v.is_null()) return 0;
        apply_numeric_affinity(&v);
        if (!v.is_numeric()) return is_low ? 0 : 1;  // every number sorts below text
        double r = v.type() == ValueType::kReal ? v.real_value() : 0;
        int64_t i = v.type() == ValueType::kInteger ? v.int_value() : 0;
        if (v.type() == ValueType::kReal) {
          if (is_low) {
            if (r > 9.2233720368547758e18) return 0;
            if (r < -9.2233720368547758e18) return 1;
            double c = inclusive ? std::ceil(r) : std::floor(r) + 1;
            if (c > 9.2233720368547758e18) return 0;
            L.rowid_low = std::max(L.rowid_low, static_cast<int64_t>(c));
          } else {
            if (r < -9.2233720368547758e18) return 0;
            if (r > 9.2233720368547758e18) return 1;
            double c = inclusive ? std::floor(r) : std::ceil(r) - 1;
            if (c < -9.2233720368547758e18) return 0;
            L.rowid_high = std::min(L.rowid_high, static_cast<int64_t>(c));
          }
          return 1;
        }
        if (is_low) {
          if (!inclusive) {
            if (i == INT64_MAX) return 0;
            ++i;
          }
          L.rowid_low = std::max(L.rowid_low, i);
        } else {
          if (!inclusive) {
            if (i == INT64_MIN) return 0;
            --i;
          }
          L.rowid_high = std::min(L.rowid_high, i);
        }
        return 1;
      };
      if (L.low) {
        int r = bound(L.low, true, L.low_inclusive);
        if (r < 0) return rt.error;
        if (r == 0) return Status::ok();
      }
      if (L.high) {
        int r = bound(L.high, false, L.high_inclusive);
        if (r < 0) return rt.error;
        if (r == 0) return Status::ok();
      }
      if (L.rowid_low > L.rowid_high) return Status::ok();
      BTreeCursor* cursor = table_cursor(rt, s);
      if (L.reverse) {
        SFS_TRY(cursor->seek_le(encode_rowid_key(L.rowid_high)));
        if (cursor->valid()) {
          SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
          if (decode_rowid_key(key) < L.rowid_low) return Status::ok();
        }
      } else {
        SFS_TRY(cursor->seek(encode_rowid_key(L.rowid_low)));
      }
      return table_position(L, cursor, ok);
    }
    case Access::kIndex: {
      if (L.in_position < 0) {
        // Equalities only (no IN list): one key prefix, encoded in place.
        L.probes.resize(1);
        std::string& key = L.probes[0];
        key.clear();
        Value v;
        for (size_t k = 0; k < L.eq.size(); ++k) {
          const IndexColumn& ic = L.index->columns[k];
          if (!rt.eval(L.eq[k], &v)) return rt.error;
          if (v.is_null()) {
            L.probes.clear();
            return Status::ok();
          }
          apply_affinity(&v, probe_affinity(
                                 k < L.eq_affinity.size() ? L.eq_affinity[k] : Affinity::kNumeric,
                                 ic.column >= 0 ? s->table->columns[ic.column].affinity
                                                : Affinity::kInteger));
          encode_key_value(v, ic.collation, ic.desc, &key);
        }
        L.probe = 0;
        return index_seek_probe(rt, L, ok);
      }
      L.probes.clear();
      std::vector<std::string> prefixes(1);
      for (size_t k = 0; k < L.eq.size(); ++k) {
        const IndexColumn& ic = L.index->columns[k];
        Affinity affinity = probe_affinity(
            k < L.eq_affinity.size() ? L.eq_affinity[k] : Affinity::kNumeric,
            ic.column >= 0 ? s->table->columns[ic.column].affinity : Affinity::kInteger);
        std::vector<Value> values;
        if (static_cast<int>(k) == L.in_position) {
          if (!in_values(rt, L.eq[k], affinity, &values)) return rt.error;
        } else {
          Value v;
          if (!rt.eval(L.eq[k], &v)) return rt.error;
          if (v.is_null()) return Status::ok();
          apply_affinity(&v, affinity);
          values.push_back(std::move(v));
        }
        std::vector<std::string> next;
        for (const std::string& prefix : prefixes) {
          for (const Value& v : values) {
            std::string key = prefix;
            encode_key_value(v, ic.collation, ic.desc, &key);
            next.push_back(std::move(key));
          }
        }
        prefixes.swap(next);
        if (prefixes.empty()) return Status::ok();
      }
      std::sort(prefixes.begin(), prefixes.end());
      prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
      if (L.reverse) std::reverse(prefixes.begin(), prefixes.end());
      L.probes = std::move(prefixes);
      L.probe = 0;
      return index_seek_probe(rt, L, ok);
    }
  }
  return Status::ok();
}

Status level_next(Runtime& rt, Level& L, bool* ok) {
  Source* s = L.source;
  *ok = false;
  if (s->table == nullptr) {
    if (++L.row < s->rows.size()) {
      s->current = &s->rows[L.row];
      *ok = true;
    }
    return Status::ok();
  }
  switch (L.access) {
    case Access::kScan:
      if (L.cache_rows) {
        ++L.row;
        return rowid_seek(rt, L, ok);
      }
      [[fallthrough]];
    case Access::kRowidRange: {
      BTreeCursor* cursor = table_cursor(rt, s);
      if (L.reverse) {
        SFS_TRY(cursor->prev());
      } else {
        SFS_TRY(cursor->next());
      }
      return table_position(L, cursor, ok);
    }
    case Access::kRowidEq:
      ++L.row;
      return rowid_seek(rt, L, ok);
    case Access::kIndex: {
      BTreeCursor* cursor = index_cursor(rt, s, L.index);
      if (L.reverse) {
        SFS_TRY(cursor->prev());
      } else {
        SFS_TRY(cursor->next());
      }
      SFS_TRY(index_in_range(L, cursor, ok));
      if (*ok) return set_index_row(s, cursor);
      ++L.probe;
      return index_seek_probe(rt, L, ok);
    }
  }
  return Status::ok();
}


}  // namespace sfs::sql
