// Base64 (RFC 4648 section 4): binary data as text, 3 bytes to 4 characters from A–Z a–z 0–9 + /,
// with '=' padding to a multiple of 4. Used by the WebSocket handshake (Sec-WebSocket-Accept) and
// HTTP Basic credentials. The URL-safe alphabet (section 5, '-' and '_') is available too.
//
// Decoding is strict, as section 3.3 recommends for protocols: characters outside the alphabet
// (including whitespace and line breaks), a bad length, misplaced padding, or non-zero bits left
// over in the last character are errors rather than silently skipped.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sfs::core {

std::string base64_encode(std::string_view bytes);
// RFC 4648 section 5: '-' and '_' instead of '+' and '/'; `pad` adds the '=' padding.
std::string base64url_encode(std::string_view bytes, bool pad = false);

// Decodes padded standard base64. Errors name the offending position.
Result<std::string> base64_decode(std::string_view text);
// Decodes the URL-safe alphabet; padding is optional.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace sfs::core
