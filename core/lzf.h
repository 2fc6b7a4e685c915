// LZF: the small, fast LZ77 compressor (Marc Lehmann's format) that Redis uses for long strings
// in RDB files. Written here from the format description:
//
//   The compressed stream is a sequence of items, each starting with a control byte C:
//   C < 32          literal run: the next C + 1 bytes are copied to the output as they are
//   C >= 32         back reference: L = C >> 5 (1..7); if L == 7, L += next byte;
//                   offset = ((C & 0x1f) << 8 | next byte) + 1;
//                   copy L + 2 bytes starting `offset` bytes back in the output (the copy may
//                   overlap what it writes, which repeats a short pattern)
//
// So a match is 3..264 bytes long and at most 8192 bytes back. The compressor finds matches with
// a hash table of the last position of every 3-byte prefix; it is greedy and never looks back
// further (no chains), trading ratio for speed the way the original does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sfs::core {

// Compresses `input` into `output` (capacity `capacity`). Returns the compressed size, or 0 when
// the result would not fit (callers then store the data uncompressed; passing capacity =
// input.size() - 1 asks "compress only if it saves something").
size_t lzf_compress(std::string_view input, char* output, size_t capacity);

// Decompresses `input`, which must expand to exactly `expected_size` bytes (RDB stores it).
// Errors: kCorruption for a truncated stream, a reference before the start, or a size mismatch.
Result<std::string> lzf_decompress(std::string_view input, size_t expected_size);

}  // namespace sfs::core
