// Content-Type for a file name, by extension (the common web types; application/octet-stream
// otherwise). Text types carry "; charset=utf-8".
#pragma once

#include <string_view>

namespace sfs::http {

std::string_view mime_type(std::string_view file_name);

}  // namespace sfs::http
