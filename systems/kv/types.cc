// Lists, hashes, sets and sorted sets: see types.h for the encodings and when they change.
#include "systems/kv/types.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sfs::kv {

Limits& limits() {
  static Limits l;
  return l;
}

std::mt19937_64& rng() {
  static std::mt19937_64 r(std::random_device{}());
  return r;
}

// ---------------------------------------------------------------------------------------------
// ListValue

void ListValue::maybe_convert(size_t incoming) {
  if (big_) return;
  if (static_cast<int64_t>(small_.count()) + 1 > limits().list_max_entries ||
      static_cast<int64_t>(small_.bytes() + incoming) > limits().list_max_bytes) {
    auto items = to_vector();
    big_ = std::make_unique<std::deque<std::string>>(std::make_move_iterator(items.begin()),
                                                     std::make_move_iterator(items.end()));
    small_.clear();
  }
}

std::vector<std::string> ListValue::to_vector() const {
  std::vector<std::string> items;
  if (big_) return std::vector<std::string>(big_->begin(), big_->end());
  items.reserve(small_.count());
  for (size_t p = small_.begin(); p < small_.end(); p = small_.next(p)) items.emplace_back(small_.get(p));
  return items;
}

void ListValue::from_vector(std::vector<std::string>&& items) {
  if (big_) {
    big_->assign(std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
    return;
  }
  small_.clear();
  for (const auto& item : items) small_.push_back(item);
}

void ListValue::push(bool left, std::string_view value) {
  maybe_convert(value.size() + 5);
  if (big_) {
    if (left) big_->emplace_front(value);
    else big_->emplace_back(value);
  } else if (left) {
    small_.push_front(value);
  } else {
    small_.push_back(value);
  }
}

std::string ListValue::pop(bool left) {
  if (big_) {
    std::string out;
    if (left) {
      out = std::move(big_->front());
      big_->pop_front();
    } else {
      out = std::move(big_->back());
      big_->pop_back();
    }
    return out;
  }
  size_t pos = left ? small_.begin() : small_.at(small_.count() - 1);
  std::string out(small_.get(pos));
  small_.erase(pos);
  return out;
}

std::string_view ListValue::at(size_t index) const {
  if (big_) return (*big_)[index];
  return small_.get(small_.at(index));
}

void ListValue::set(size_t index, std::string_view value) {
  if (big_) {
    (*big_)[index].assign(value);
    return;
  }
  if (static_cast<int64_t>(small_.bytes() + value.size()) > limits().list_max_bytes) {
    maybe_convert(static_cast<size_t>(limits().list_max_bytes) + 1);
    (*big_)[index].assign(value);
    return;
  }
  small_.replace(small_.at(index), value);
}

void ListValue::range(size_t start, size_t stop, const std::function<void(std::string_view)>& fn,
                      bool reverse) const {
  if (big_) {
    if (reverse) {
      for (size_t i = stop + 1; i-- > start;) fn((*big_)[i]);
    } else {
      for (size_t i = start; i <= stop; ++i) fn((*big_)[i]);
    }
    return;
  }
  if (reverse) {
    std::vector<std::string_view> views;
    size_t p = small_.at(start);
    for (size_t i = start; i <= stop; ++i, p = small_.next(p)) views.push_back(small_.get(p));
    for (size_t i = views.size(); i-- > 0;) fn(views[i]);
    return;
  }
  size_t p = small_.at(start);
  for (size_t i = start; i <= stop; ++i, p = small_.next(p)) fn(small_.get(p));
}

size_t ListValue::remove(int64_t count, std::string_view value) {
  auto items = to_vector();
  std::vector<bool> drop(items.size(), false);
  size_t removed = 0;
  size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count < 0 ? -count : count);
  for (size_t k = 0; k < items.size() && removed < limit; ++k) {
    size_t i = count >= 0 ? k : items.size() - 1 - k;
    if (items[i] == value) {
      drop[i] = true;
      ++removed;
    }
  }
  if (removed == 0) return 0;
  std::vector<std::string> kept;
  kept.reserve(items.size() - removed);
  for (size_t i = 0; i < items.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(items[i]));
  }
  from_vector(std::move(kept));
  return removed;
}

void ListValue::trim(int64_t start, int64_t stop) {
  size_t n = size();
  if (start > stop || start >= static_cast<int64_t>(n)) {
    if (big_) big_->clear();
    else small_.clear();
    return;
  }
  size_t keep_from = static_cast<size_t>(start);
  size_t keep_to = std::min(static_cast<size_t>(stop), n - 1);
  if (big_) {
    big_->erase(big_->begin() + static_cast<std::ptrdiff_t>(keep_to) + 1, big_->end());
    big_->erase(big_->begin(), big_->begin() + static_cast<std::ptrdiff_t>(keep_from));
    return;
  }
  size_t tail = small_.at(keep_to + 1);
  if (tail < small_.end()) small_.erase(tail, n - keep_to - 1);
  if (keep_from > 0) small_.erase(small_.begin(), keep_from);
}

bool ListValue::insert(bool before, std::string_view pivot, std::string_view value) {
  if (big_) {
    for (auto it = big_->begin(); it != big_->end(); ++it) {
      if (*it == pivot) {
        big_->emplace(before ? it : it + 1, value);
        return true;
      }
    }
    return false;
  }
  size_t pos = small_.find(pivot, small_.begin());
  if (pos >= small_.end()) return false;
  maybe_convert(value.size() + 5);
  if (big_) return insert(before, pivot, value);
  small_.insert(before ? pos : small_.next(pos), value);
  return true;
}

size_t ListValue::memory() const {
  if (!big_) return small_.bytes() + sizeof(*this);
  size_t total = sizeof(*this) + sizeof(*big_);
  for (const auto& s : *big_) total += sizeof(std::string) + (s.capacity() > 15 ? s.capacity() + 1 : 0);
  return total;
}

// ---------------------------------------------------------------------------------------------
// HashValue

HashValue::~HashValue() {
  if (big_) big_->clear([](Node* n) { std::unique_ptr<Node> owned(n); });
}

std::optional<std::string_view> HashValue::get(std::string_view field) const {
  if (big_) {
    Node* n = big_->find(field);
    if (n == nullptr) return std::nullopt;
    return std::string_view(n->value);
  }
  size_t pos = small_.find(field, small_.begin(), 2);
  if (pos >= small_.end()) return std::nullopt;
  return small_.get(small_.next(pos));
}

void HashValue::convert() {
  auto map = std::make_unique<Map>();
  for (size_t p = small_.begin(); p < small_.end();) {
    auto node = std::make_unique<Node>();
    node->field = small_.get(p);
    p = small_.next(p);
    node->value = small_.get(p);
    p = small_.next(p);
    map->insert(node.release());
  }
  small_.clear();
  big_ = std::move(map);
}

bool HashValue::set(std::string_view field, std::string_view value) {
  if (!big_) {
    size_t pos = small_.find(field, small_.begin(), 2);
    if (pos < small_.end()) {
      if (static_cast<int64_t>(value.size()) <= limits().hash_max_value) {
        small_.replace(small_.next(pos), value);
        return false;
      }
      convert();
    } else if (static_cast<int64_t>(field.size()) > limits().hash_max_value ||
               static_cast<int64_t>(value.size()) > limits().hash_max_value ||
               static_cast<int64_t>(small_.count() / 2 + 1) > limits().hash_max_entries) {
      convert();
    } else {
      small_.push_back(field);
      small_.push_back(value);
      return true;
    }
  }
  if (Node* n = big_->find(field)) {
    n->value.assign(value);
    return false;
  }
  auto node = std::make_unique<Node>();
  node->field = field;
  node->value = value;
  big_->insert(node.release());
  return true;
}

bool HashValue::remove(std::string_view field) {
  if (big_) {
    Node** link = big_->find_link(field);
    if (link == nullptr) return false;
    std::unique_ptr<Node> owned(big_->unlink(link));
    big_->maybe_shrink();
    return true;
  }
  size_t pos = small_.find(field, small_.begin(), 2);
  if (pos >= small_.end()) return false;
  small_.erase(pos, 2);
  return true;
}

void HashValue::for_each(const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (big_) {
    big_->for_each([&](Node* n) { fn(n->field, n->value); });
    return;
  }
  for (size_t p = small_.begin(); p < small_.end();) {
    std::string_view f = small_.get(p);
    p = small_.next(p);
    std::string_view v = small_.get(p);
    p = small_.next(p);
    fn(f, v);
  }
}

uint64_t HashValue::scan(uint64_t cursor, size_t count,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (!big_) {
    for_each(fn);
    return 0;
  }
  return big_->scan(cursor, count, [&](Node* n) { fn(n->field, n->value); });
}

std::pair<std::string_view, std::string_view> HashValue::random() const {
  if (big_) {
    Node* n = big_->random(rng());
    return {n->field, n->value};
  }
  size_t i = rng()() % (small_.count() / 2);
  size_t p = small_.at(i * 2);
  return {small_.get(p), small_.get(small_.next(p))};
}

size_t HashValue::memory() const {
  if (!big_) return small_.bytes() + sizeof(*this);
  size_t total = sizeof(*this) + big_->overhead_bytes();
  big_->for_each([&](Node* n) {
    total += sizeof(Node) + (n->field.capacity() > 15 ? n->field.capacity() + 1 : 0) +
             (n->value.capacity() > 15 ? n->value.capacity() + 1 : 0);
  });
  return total;
}

// ---------------------------------------------------------------------------------------------
// SetValue

SetValue::~SetValue() {
  if (big_) big_->clear([](Node* n) { std::unique_ptr<Node> owned(n); });
}

size_t SetValue::size() const {
  switch (encoding_) {
    case Encoding::kIntSet: return ints_.size();
    case Encoding::kPacked: return small_.count();
    case Encoding::kTable: return big_->size();
  }
  return 0;
}

const char* SetValue::encoding() const {
  switch (encoding_) {
    case Encoding::kIntSet: return "intset";
    case Encoding::kPacked: return "listpack";
    case Encoding::kTable: return "hashtable";
  }
  return "";
}

bool SetValue::contains(std::string_view member) const {
  switch (encoding_) {
    case Encoding::kIntSet: {
      int64_t v;
      return parse_ll(member, &v) && ints_.contains(v);
    }
    case Encoding::kPacked: return small_.find(member, small_.begin()) < small_.end();
    case Encoding::kTable: return big_->find(member) != nullptr;
  }
  return false;
}

void SetValue::to_table() {
  auto map = std::make_unique<Map>();
  for_each([&](std::string_view m) {
    auto node = std::make_unique<Node>();
    node->member = m;
    map->insert(node.release());
  });
  ints_ = IntSet();
  small_.clear();
  big_ = std::move(map);
  encoding_ = Encoding::kTable;
}

void SetValue::to_packed() {
  PackedList packed;
  for (size_t i = 0; i < ints_.size(); ++i) packed.push_back(ll_to_string(ints_.at(i)));
  ints_ = IntSet();
  small_ = std::move(packed);
  encoding_ = Encoding::kPacked;
}

void SetValue::reserve(size_t n) {
  if (encoding_ == Encoding::kTable) big_->reserve(n);
}

bool SetValue::add(std::string_view member) {
  if (encoding_ == Encoding::kIntSet) {
    int64_t v;
    if (parse_ll(member, &v)) {
      if (ints_.contains(v)) return false;
      if (static_cast<int64_t>(ints_.size()) + 1 > limits().set_max_intset_entries) {
        to_table();
      } else {
        ints_.add(v);
        return true;
      }
    } else if (static_cast<int64_t>(ints_.size()) + 1 <= limits().set_max_listpack_entries &&
               static_cast<int64_t>(member.size()) <= limits().set_max_listpack_value) {
      to_packed();
    } else {
      to_table();
    }
  }
  if (encoding_ == Encoding::kPacked) {
    if (small_.find(member, small_.begin()) < small_.end()) return false;
    if (static_cast<int64_t>(small_.count()) + 1 > limits().set_max_listpack_entries ||
        static_cast<int64_t>(member.size()) > limits().set_max_listpack_value) {
      to_table();
    } else {
      small_.push_back(member);
      return true;
    }
  }
  if (big_->find(member) != nullptr) return false;
  auto node = std::make_unique<Node>();
  node->member = member;
  big_->insert(node.release());
  return true;
}

bool SetValue::remove(std::string_view member) {
  switch (encoding_) {
    case Encoding::kIntSet: {
      int64_t v;
      return parse_ll(member, &v) && ints_.remove(v);
    }
    case Encoding::kPacked: {
      size_t pos = small_.find(member, small_.begin());
      if (pos >= small_.end()) return false;
      small_.erase(pos);
      if (small_.empty()) encoding_ = Encoding::kIntSet;
      return true;
    }
    case Encoding::kTable: {
      Node** link = big_->find_link(member);
      if (link == nullptr) return false;
      std::unique_ptr<Node> owned(big_->unlink(link));
      big_->maybe_shrink();
      return true;
    }
  }
  return false;
}

void SetValue::for_each(const std::function<void(std::string_view)>& fn) const {
  switch (encoding_) {
    case Encoding::kIntSet: {
      char buf[24];
      for (size_t i = 0; i < ints_.size(); ++i) fn(std::string_view(buf, format_ll(ints_.at(i), buf)));
      return;
    }
    case Encoding::kPacked:
      for (size_t p = small_.begin(); p < small_.end(); p = small_.next(p)) fn(small_.get(p));
      return;
    case Encoding::kTable:
      big_->for_each([&](Node* n) { fn(n->member); });
      return;
  }
}

uint64_t SetValue::scan(uint64_t cursor, size_t count,
                        const std::function<void(std::string_view)>& fn) const {
  if (encoding_ != Encoding::kTable) {
    for_each(fn);
    return 0;
  }
  return big_->scan(cursor, count, [&](Node* n) { fn(n->member); });
}

std::string SetValue::random() const {
  switch (encoding_) {
    case Encoding::kIntSet: return ll_to_string(ints_.at(rng()() % ints_.size()));
    case Encoding::kPacked: return std::string(small_.get(small_.at(rng()() % small_.count())));
    case Encoding::kTable: return big_->random(rng())->member;
  }
  return "";
}

std::vector<std::string> SetValue::members() const {
  std::vector<std::string> out;
  out.reserve(size());
  for_each([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

size_t SetValue::memory() const {
  switch (encoding_) {
    case Encoding::kIntSet: return sizeof(*this) + ints_.bytes();
    case Encoding::kPacked: return sizeof(*this) + small_.bytes();
    case Encoding::kTable: {
      size_t total = sizeof(*this) + big_->overhead_bytes();
      big_->for_each([&](Node* n) {
        total += sizeof(Node) + (n->member.capacity() > 15 ? n->member.capacity() + 1 : 0);
      });
      return total;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sorted sets: the skip list

namespace {

// Scores in the packed form: integral values as decimal text ("3" is one byte, as listpack
// stores integers), anything else as 0xFF followed by the 8 bytes of the double. Text never
// starts with 0xFF, so the two cannot be confused.
double read_score(std::string_view raw) {
  if (raw.size() == 9 && static_cast<unsigned char>(raw[0]) == 0xFF) {
    double d;
    std::memcpy(&d, raw.data() + 1, sizeof(d));
    return d;
  }
  int64_t v = 0;
  parse_ll(raw, &v);
  return static_cast<double>(v);
}

std::string_view score_bytes(double d, char* buf) {
  if (d == std::floor(d) && std::fabs(d) < 1e15 && !(d == 0 && std::signbit(d))) {
    return std::string_view(buf, format_ll(static_cast<int64_t>(d), buf));
  }
  buf[0] = static_cast<char>(0xFF);
  std::memcpy(buf + 1, &d, sizeof(d));
  return std::string_view(buf, 9);
}

// (score, member) ordering of sorted sets.
bool less(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

bool below_min(const ScoreRange& r, double s) { return r.min_exclusive ? s <= r.min : s < r.min; }
bool through_max(const ScoreRange& r, double s) { return r.max_exclusive ? s < r.max : s <= r.max; }

bool below_min(const LexRange& r, std::string_view m) {
  switch (r.min.kind) {
    case LexBound::kNegInf: return false;
    case LexBound::kPosInf: return true;
    case LexBound::kValue: return r.min.exclusive ? m <= r.min.value : m < r.min.value;
  }
  return false;
}
bool through_max(const LexRange& r, std::string_view m) {
  switch (r.max.kind) {
    case LexBound::kNegInf: return false;
    case LexBound::kPosInf: return true;
    case LexBound::kValue: return r.max.exclusive ? m < r.max.value : m <= r.max.value;
  }
  return false;
}

}  // namespace

class ZSetValue::SkipList {
 public:
  static constexpr int kMaxLevel = 32;
  struct Node;
  struct Level {
    Node* forward = nullptr;
    size_t span = 0;
  };
  struct Node {
    std::string member;
    double score = 0;
    Node* backward = nullptr;
    std::unique_ptr<Level[]> level;
  };

  SkipList() : header_(std::make_unique<Node>()) { header_->level = std::make_unique<Level[]>(kMaxLevel); }
  ~SkipList() {
    Node* x = header_->level[0].forward;
    while (x != nullptr) {
      Node* next = x->level[0].forward;
      std::unique_ptr<Node> owned(x);
      x = next;
    }
  }

  size_t size() const { return length_; }

  Node* insert(std::string_view member, double score) {
    Node* update[kMaxLevel];
    size_t rank[kMaxLevel];
    Node* x = header_.get();
    for (int i = level_ - 1; i >= 0; --i) {
      rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
      while (x->level[i].forward && less(x->level[i].forward->score, x->level[i].forward->member, score, member)) {
        rank[i] += x->level[i].span;
        x = x->level[i].forward;
      }
      update[i] = x;
    }
    int lvl = random_level();
    if (lvl > level_) {
      for (int i = level_; i < lvl; ++i) {
        rank[i] = 0;
        update[i] = header_.get();
        update[i]->level[i].span = length_;
      }
      level_ = lvl;
    }
    auto owned = std::make_unique<Node>();
    owned->member = member;
    owned->score = score;
    owned->level = std::make_unique<Level[]>(static_cast<size_t>(lvl));
    x = owned.release();
    for (int i = 0; i < lvl; ++i) {
      x->level[i].forward = update[i]->level[i].forward;
      update[i]->level[i].forward = x;
      x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
      update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = lvl; i < level_; ++i) update[i]->level[i].span++;
    x->backward = update[0] == header_.get() ? nullptr : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else tail_ = x;
    ++length_;
    return x;
  }

  void erase(std::string_view member, double score) {
    Node* update[kMaxLevel];
    Node* x = header_.get();
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->level[i].forward && less(x->level[i].forward->score, x->level[i].forward->member, score, member)) {
        x = x->level[i].forward;
      }
      update[i] = x;
    }
    x = x->level[0].forward;
    if (x == nullptr || x->score != score || x->member != member) return;
    for (int i = 0; i < level_; ++i) {
      if (update[i]->level[i].forward == x) {
        update[i]->level[i].span += x->level[i].span - 1;
        update[i]->level[i].forward = x->level[i].forward;
      } else {
        update[i]->level[i].span -= 1;
      }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else tail_ = x->backward;
    while (level_ > 1 && header_->level[level_ - 1].forward == nullptr) --level_;
    --length_;
    std::unique_ptr<Node> owned(x);
  }

  // 0-based rank of (member, score), which must be present.
  size_t rank(std::string_view member, double score) const {
    Node* x = header_.get();
    size_t rank = 0;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->level[i].forward &&
             (x->level[i].forward->score < score ||
              (x->level[i].forward->score == score && x->level[i].forward->member <= member))) {
        rank += x->level[i].span;
        x = x->level[i].forward;
      }
      if (x != header_.get() && x->member == member) return rank - 1;
    }
    return rank == 0 ? 0 : rank - 1;
  }

  // The node at a 0-based rank.
  Node* at(size_t rank0) const {
    size_t target = rank0 + 1;
    size_t traversed = 0;
    Node* x = header_.get();
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->level[i].forward && traversed + x->level[i].span <= target) {
        traversed += x->level[i].span;
        x = x->level[i].forward;
      }
      if (traversed == target) return x;
    }
    return nullptr;
  }

  // How many leading nodes satisfy `before` (which must be true for a prefix of the order).
  template <typename Pred>
  size_t count_before(Pred&& before) const {
    Node* x = header_.get();
    size_t n = 0;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->level[i].forward && before(x->level[i].forward)) {
        n += x->level[i].span;
        x = x->level[i].forward;
      }
    }
    return n;
  }

 private:
  static int random_level() {
    int level = 1;
    while (level < kMaxLevel && (rng()() & 0xFFFF) < static_cast<uint64_t>(0.25 * 0xFFFF)) ++level;
    return level;
  }

  std::unique_ptr<Node> header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
};

struct ZSetValue::Big {
  SkipList list;
  Dict dict;
  ~Big() { dict.clear([](DictNode* n) { std::unique_ptr<DictNode> owned(n); }); }
};

std::string_view ZSetValue::DictKey::operator()(const DictNode* n) const {
  return static_cast<const SkipList::Node*>(n->node)->member;
}

// ---------------------------------------------------------------------------------------------
// Sorted sets

ZSetValue::ZSetValue() = default;
ZSetValue::ZSetValue(ZSetValue&&) noexcept = default;
ZSetValue::~ZSetValue() = default;

size_t ZSetValue::size() const { return big_ ? big_->list.size() : small_.count() / 2; }

std::optional<double> ZSetValue::score(std::string_view member) const {
  if (big_) {
    DictNode* n = big_->dict.find(member);
    if (n == nullptr) return std::nullopt;
    return static_cast<SkipList::Node*>(n->node)->score;
  }
  size_t pos = small_.find(member, small_.begin(), 2);
  if (pos >= small_.end()) return std::nullopt;
  return read_score(small_.get(small_.next(pos)));
}

void ZSetValue::convert() {
  auto big = std::make_unique<Big>();
  for (size_t p = small_.begin(); p < small_.end();) {
    std::string_view m = small_.get(p);
    p = small_.next(p);
    double s = read_score(small_.get(p));
    p = small_.next(p);
    auto node = std::make_unique<DictNode>();
    node->node = big->list.insert(m, s);
    big->dict.insert(node.release());
  }
  small_.clear();
  big_ = std::move(big);
}

void ZSetValue::set(std::string_view member, double score) {
  if (!big_) {
    size_t pos = small_.find(member, small_.begin(), 2);
    if (pos < small_.end()) {
      if (read_score(small_.get(small_.next(pos))) == score) return;
      small_.erase(pos, 2);
    } else if (static_cast<int64_t>(member.size()) > limits().zset_max_value ||
               static_cast<int64_t>(small_.count() / 2 + 1) > limits().zset_max_entries) {
      convert();
    }
    if (!big_) {
      size_t p = small_.begin();
      while (p < small_.end()) {
        std::string_view m = small_.get(p);
        size_t sp = small_.next(p);
        if (less(score, member, read_score(small_.get(sp)), m)) break;
        p = small_.next(sp);
      }
      p = small_.insert(p, member);
      char buf[24];
      small_.insert(small_.next(p), score_bytes(score, buf));
      return;
    }
  }
  if (DictNode* n = big_->dict.find(member)) {
    auto* node = static_cast<SkipList::Node*>(n->node);
    if (node->score == score) return;
    std::string copy = node->member;
    big_->list.erase(copy, node->score);
    n->node = big_->list.insert(copy, score);
    return;
  }
  auto node = std::make_unique<DictNode>();
  node->node = big_->list.insert(member, score);
  big_->dict.insert(node.release());
}

bool ZSetValue::remove(std::string_view member) {
  if (big_) {
    DictNode** link = big_->dict.find_link(member);
    if (link == nullptr) return false;
    std::unique_ptr<DictNode> owned(big_->dict.unlink(link));
    auto* node = static_cast<SkipList::Node*>(owned->node);
    std::string copy = node->member;
    big_->list.erase(copy, node->score);
    big_->dict.maybe_shrink();
    return true;
  }
  size_t pos = small_.find(member, small_.begin(), 2);
  if (pos >= small_.end()) return false;
  small_.erase(pos, 2);
  return true;
}

std::optional<size_t> ZSetValue::rank(std::string_view member) const {
  if (big_) {
    DictNode* n = big_->dict.find(member);
    if (n == nullptr) return std::nullopt;
    auto* node = static_cast<SkipList::Node*>(n->node);
    return big_->list.rank(node->member, node->score);
  }
  size_t r = 0;
  for (size_t p = small_.begin(); p < small_.end(); p = small_.next(small_.next(p)), ++r) {
    if (small_.get(p) == member) return r;
  }
  return std::nullopt;
}

std::pair<std::string_view, double> ZSetValue::at(size_t rank) const {
  if (big_) {
    auto* node = big_->list.at(rank);
    return {node->member, node->score};
  }
  size_t p = small_.at(rank * 2);
  return {small_.get(p), read_score(small_.get(small_.next(p)))};
}

void ZSetValue::walk(size_t first, size_t last, bool reverse,
                     const std::function<bool(std::string_view, double)>& fn) const {
  if (first > last || last >= size()) return;
  if (big_) {
    if (reverse) {
      for (auto* x = big_->list.at(last); x != nullptr; x = x->backward) {
        if (!fn(x->member, x->score) || last-- == first) break;
      }
    } else {
      for (auto* x = big_->list.at(first); x != nullptr; x = x->level[0].forward) {
        if (!fn(x->member, x->score) || first++ == last) break;
      }
    }
    return;
  }
  std::vector<std::pair<std::string_view, double>> items;
  items.reserve(last - first + 1);
  size_t p = small_.at(first * 2);
  for (size_t r = first; r <= last; ++r) {
    std::string_view m = small_.get(p);
    p = small_.next(p);
    items.emplace_back(m, read_score(small_.get(p)));
    p = small_.next(p);
  }
  if (reverse) {
    for (size_t i = items.size(); i-- > 0;) {
      if (!fn(items[i].first, items[i].second)) break;
    }
  } else {
    for (auto& [m, s] : items) {
      if (!fn(m, s)) break;
    }
  }
}

size_t ZSetValue::packed_count(const std::function<bool(std::string_view, double)>& before) const {
  size_t n = 0;
  for (size_t p = small_.begin(); p < small_.end();) {
    std::string_view m = small_.get(p);
    p = small_.next(p);
    double s = read_score(small_.get(p));
    p = small_.next(p);
    if (!before(m, s)) break;
    ++n;
  }
  return n;
}

size_t ZSetValue::count_below(const ScoreRange& r) const {
  if (big_) return big_->list.count_before([&](SkipList::Node* x) { return below_min(r, x->score); });
  return packed_count([&](std::string_view, double s) { return below_min(r, s); });
}

size_t ZSetValue::count_through(const ScoreRange& r) const {
  if (big_) return big_->list.count_before([&](SkipList::Node* x) { return through_max(r, x->score); });
  return packed_count([&](std::string_view, double s) { return through_max(r, s); });
}

size_t ZSetValue::count_below(const LexRange& r) const {
  if (big_) return big_->list.count_before([&](SkipList::Node* x) { return below_min(r, x->member); });
  return packed_count([&](std::string_view m, double) { return below_min(r, m); });
}

size_t ZSetValue::count_through(const LexRange& r) const {
  if (big_) return big_->list.count_before([&](SkipList::Node* x) { return through_max(r, x->member); });
  return packed_count([&](std::string_view m, double) { return through_max(r, m); });
}

size_t ZSetValue::memory() const {
  if (!big_) return sizeof(*this) + small_.bytes();
  size_t total = sizeof(*this) + sizeof(Big) + big_->dict.overhead_bytes();
  total += size() * (sizeof(SkipList::Node) + sizeof(DictNode) + 2 * sizeof(SkipList::Level));
  return total;
}

bool parse_score_bound(std::string_view text, double* value, bool* exclusive) {
  *exclusive = false;
  if (!text.empty() && text[0] == '(') {
    *exclusive = true;
    text.remove_prefix(1);
  }
  return parse_double_strict(text, value);
}

bool parse_lex_bound(std::string_view text, LexBound* bound) {
  if (text == "-") {
    bound->kind = LexBound::kNegInf;
    return true;
  }
  if (text == "+") {
    bound->kind = LexBound::kPosInf;
    return true;
  }
  if (text.empty() || (text[0] != '[' && text[0] != '(')) return false;
  bound->kind = LexBound::kValue;
  bound->exclusive = text[0] == '(';
  bound->value = std::string(text.substr(1));
  return true;
}

}  // namespace sfs::kv
