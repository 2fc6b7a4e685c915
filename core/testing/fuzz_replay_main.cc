// A stand-in for libFuzzer's main in ordinary builds: runs a harness's LLVMFuzzerTestOneInput over
// every file of its seed corpus, then over deterministic mutations of those seeds (byte flips,
// insertions, deletions, splices, truncations). It is not coverage-guided — that is what the
// SFS_FUZZ build is for (scripts/fuzz) — but it keeps every harness compiling and running in
// ./test, under the sanitizers in .ci/run, and it catches the shallow bugs cheaply.
//
// usage: <harness> [CORPUS_DIR_OR_FILE...]   (SFS_FUZZ_ITERATIONS mutations; default 20000)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run_one(const std::string& input) {
  // Copy into an exactly sized heap block so AddressSanitizer sees reads past the end.
  std::vector<uint8_t> bytes(input.begin(), input.end());
  LLVMFuzzerTestOneInput(bytes.empty() ? nullptr : bytes.data(), bytes.size());
}

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    fs::path path = argv[i];
    if (fs::is_directory(path)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) seeds.push_back(read_whole(file));
    } else if (fs::exists(path)) {
      seeds.push_back(read_whole(path));
    }
  }
  seeds.push_back("");
  for (const auto& seed : seeds) run_one(seed);

  long iterations = 20000;
  if (const char* env = std::getenv("SFS_FUZZ_ITERATIONS")) iterations = std::atol(env);
  std::mt19937_64 random(12345);
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(random() % n); };
  const char interesting[] = {'\0', '\r', '\n', ' ', ':', '"', '\\', '{', '}', '[', ']', '*',
                              '$', '-', '0', '9', '#', '<', '>', '\x7f', '\x80', '\xff', '\xc3'};
  for (long i = 0; i < iterations; ++i) {
    std::string input = seeds[pick(seeds.size())];
    int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits; ++e) {
      switch (pick(6)) {
        case 0:  // flip a bit
          if (!input.empty()) input[pick(input.size())] ^= static_cast<char>(1 << pick(8));
          break;
        case 1:  // insert an interesting byte
          input.insert(input.begin() + static_cast<long>(pick(input.size() + 1)),
                       interesting[pick(sizeof(interesting))]);
          break;
        case 2:  // delete a range
          if (!input.empty()) {
            size_t at = pick(input.size());
            input.erase(at, 1 + pick(std::min<size_t>(16, input.size() - at)));
          }
          break;
        case 3:  // splice in part of another seed
        {
          const std::string& other = seeds[pick(seeds.size())];
          if (!other.empty()) {
            size_t from = pick(other.size());
            input.insert(pick(input.size() + 1), other.substr(from, 1 + pick(64)));
          }
          break;
        }
        case 4:  // truncate
          input.resize(pick(input.size() + 1));
          break;
        case 5:  // duplicate a range (grows nesting and repetition)
          if (!input.empty()) {
            size_t at = pick(input.size());
            std::string piece = input.substr(at, 1 + pick(32));
            input.insert(at, piece);
          }
          break;
      }
    }
    run_one(input);
  }
  std::printf("replayed %zu seeds and %ld mutations\n", seeds.size(), iterations);
  return 0;
}
