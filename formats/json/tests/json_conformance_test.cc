// JSONTestSuite (nst/JSONTestSuite, test_parsing/): every y_ file must parse, every n_ file must
// be rejected, and i_ files (implementation-defined) must merely not crash. The data lives in
// ../shared/conformance/json (see scripts/fetch-conformance).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/file.h"
#include "core/testing/testing.h"
#include "formats/json/json.h"

namespace sfs::json {
namespace {

TEST(JsonConformanceTest, JsonTestSuite) {
  std::string dir = core::testing::conformance_path("json");
  if (dir.empty()) SFS_SKIP_UNLESS_CI("conformance data json/ (JSONTestSuite) not found");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  int accepted = 0, rejected = 0, implementation_defined = 0, failures = 0;
  for (const auto& path : files) {
    std::string name = path.filename().string();
    core::Result<std::string> text = core::read_file(path.string());
    ASSERT_TRUE(text.is_ok()) << text.status().to_string();
    core::Result<Value> value = parse(*text);
    if (name.rfind("y_", 0) == 0) {
      ++accepted;
      if (!value.is_ok()) {
        ++failures;
        ADD_FAILURE() << name << " must parse: " << value.status().message();
      } else {
        // What we write must read back to the same value.
        core::Result<Value> again = parse(write(*value));
        EXPECT_TRUE(again.is_ok() && *again == *value) << name << " does not round-trip";
      }
    } else if (name.rfind("n_", 0) == 0) {
      ++rejected;
      if (value.is_ok()) {
        ++failures;
        ADD_FAILURE() << name << " must be rejected";
      }
    } else if (name.rfind("i_", 0) == 0) {
      ++implementation_defined;
    }
  }
  std::printf("JSONTestSuite: %d y_ (must parse), %d n_ (must reject), %d i_ (no crash); %d failures\n",
              accepted, rejected, implementation_defined, failures);
  EXPECT_EQ(accepted, 95);
  EXPECT_EQ(rejected, 188);
}

}  // namespace
}  // namespace sfs::json
