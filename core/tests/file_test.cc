#include "core/file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/testing/testing.h"

namespace sfs::core {
namespace {

TEST(FileTest, WriteThenRead) {
  testing::TempDir dir;
  std::string path = dir.file("a.txt");
  ASSERT_TRUE(write_file(path, "one\ntwo\n").is_ok());
  Result<std::string> data = read_file(path);
  ASSERT_TRUE(data.is_ok());
  EXPECT_EQ(*data, "one\ntwo\n");
}

TEST(FileTest, MissingFileIsNotFound) {
  Result<std::string> data = read_file("/nonexistent/sfs/file");
  ASSERT_FALSE(data.is_ok());
  EXPECT_EQ(data.status().code(), Code::kNotFound);
}

TEST(FileTest, ReadsProcFilesWithoutSize) {
  Result<std::string> data = read_file("/proc/self/status");
  ASSERT_TRUE(data.is_ok());
  EXPECT_NE(data->find("Pid:"), std::string::npos);
}

TEST(FileTest, AtomicWriteReplacesAndLeavesNoTemp) {
  testing::TempDir dir;
  std::string path = dir.file("snapshot");
  ASSERT_TRUE(write_file_atomic(path, "old").is_ok());
  ASSERT_TRUE(write_file_atomic(path, std::string(1 << 20, 'n')).is_ok());
  EXPECT_EQ(read_file(path)->size(), 1u << 20);
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(FileTest, AtomicWriteToMissingDirectoryFails) {
  Status status = write_file_atomic("/nonexistent/sfs/dir/file", "x");
  EXPECT_FALSE(status.is_ok());
}

}  // namespace
}  // namespace sfs::core
