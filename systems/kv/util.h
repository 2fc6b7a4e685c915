// Small helpers every kv file uses: Redis's exact number syntax, glob matching, key hashing and
// the clocks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sfs::kv {

// Redis's string2ll: optional '-', then digits with no leading zero (except "0" itself), no
// spaces, no '+', within int64. "01", " 1", "1.0" and "" are not integers. Strings that pass are
// the ones Redis stores with the "int" encoding.
bool parse_ll(std::string_view text, int64_t* out);
// Like strtod/strtold as Redis uses them: the whole string, no leading space, not NaN.
bool parse_double_strict(std::string_view text, double* out);
bool parse_long_double(std::string_view text, long double* out);
// Writes `value` in decimal into buf (>= 21 bytes); returns the length.
size_t format_ll(int64_t value, char* buf);
std::string ll_to_string(int64_t value);

// Glob-style matching as KEYS, SCAN MATCH and PSUBSCRIBE do it: * ? [abc] [^a] [a-z] and \x.
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

// A fast 64-bit hash of a key (seeded once per process, so an attacker cannot precompute
// colliding keys as easily).
uint64_t hash_bytes(std::string_view data);

// Wall-clock time in milliseconds / microseconds since the epoch (expiry uses wall time, as
// Redis does, since deadlines are stored in snapshots).
int64_t now_ms();
int64_t now_us();

// Redis's sdscatrepr: `s` in double quotes with \n \r \t \a \b \\ \" escaped and other
// non-printable bytes as \xhh (MONITOR and SLOWLOG lines, redis-cli's output).
void append_repr(std::string& out, std::string_view s);

}  // namespace sfs::kv
