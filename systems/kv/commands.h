// Helpers shared by the command files (commands_*.cc): argument parsing that several commands
// repeat, and the table-building shorthand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "systems/kv/server.h"

namespace sfs::kv {

inline bool eq(std::string_view a, std::string_view b) { return core::iequals(a, b); }

// SCAN-family options: MATCH, COUNT, TYPE (TYPE only for SCAN). Replies the error and returns
// false when they are malformed.
struct ScanOptions {
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  std::string_view type;
  bool has_type = false;
};
bool parse_scan_cursor(CommandContext& c, size_t index, uint64_t* cursor);
bool parse_scan_options(CommandContext& c, size_t from, bool allow_type, ScanOptions* out);

// Turns Redis's (start, stop) with negative indexes into [start, stop] within [0, size); false
// when the range is empty.
bool normalize_range(int64_t start, int64_t stop, size_t size, size_t* first, size_t* last);

// Parses a blocking timeout in seconds ("0" = forever) into an absolute deadline in ms (0 for
// forever). Replies the error and returns false.
bool parse_timeout(CommandContext& c, size_t index, int64_t* deadline_ms);

// Deletes `key` if its collection became empty; returns true when it did.
bool delete_if_empty(CommandContext& c, std::string_view key, size_t size);

// Creates the key's entry of `type` when missing. REQUIRES: the key is absent or of that type.
Entry* get_or_create(CommandContext& c, std::string_view key, Entry* existing, Type type);

// Checks `user`/`password` against the default user (requirepass) and marks the client
// authenticated; replies WRONGPASS and returns false when they do not match (AUTH, HELLO).
bool authenticate(CommandContext& c, std::string_view user, std::string_view password);

// Redis 7's errors for container commands (CLIENT, CONFIG, OBJECT...): a known subcommand with
// the wrong arguments, or an unknown one.
void reply_subcommand_error(CommandContext& c, std::string_view container,
                            std::initializer_list<std::string_view> known);

}  // namespace sfs::kv
