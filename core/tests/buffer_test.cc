#include "core/buffer.h"

#include <gtest/gtest.h>

namespace sfs::core {
namespace {

TEST(BufferTest, AppendAndConsume) {
  Buffer buffer;
  EXPECT_TRUE(buffer.empty());
  buffer.append("hello ");
  buffer.append("world");
  EXPECT_EQ(buffer.view(), "hello world");
  buffer.consume(6);
  EXPECT_EQ(buffer.view(), "world");
  buffer.consume(5);
  EXPECT_TRUE(buffer.empty());
}

TEST(BufferTest, PrepareCommit) {
  Buffer buffer;
  char* space = buffer.prepare(100);
  std::memcpy(space, "abc", 3);
  buffer.commit(3);
  EXPECT_EQ(buffer.view(), "abc");
}

TEST(BufferTest, SlidesInsteadOfGrowingWhenFrontIsFree) {
  Buffer buffer;
  buffer.append(std::string(200, 'x'));
  size_t capacity = buffer.capacity();
  buffer.consume(190);
  buffer.append(std::string(150, 'y'));  // fits after sliding the 10 remaining bytes forward
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_EQ(buffer.size(), 160u);
  EXPECT_EQ(buffer.view().substr(0, 10), std::string(10, 'x'));
  EXPECT_EQ(buffer.view().substr(10), std::string(150, 'y'));
}

TEST(BufferTest, GrowsAndKeepsContents) {
  Buffer buffer;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    std::string piece = std::to_string(i) + ",";
    buffer.append(piece);
    expected += piece;
    if (i % 7 == 0) {
      buffer.consume(1);
      expected.erase(0, 1);
    }
  }
  EXPECT_EQ(buffer.view(), expected);
}

TEST(BufferTest, ShrinkIfIdleReleasesMemory) {
  Buffer buffer;
  buffer.append(std::string(100000, 'z'));
  buffer.shrink_if_idle(1024);
  EXPECT_GT(buffer.capacity(), 1024u);  // not idle: nothing released
  buffer.consume(buffer.size());
  buffer.shrink_if_idle(1024);
  EXPECT_EQ(buffer.capacity(), 0u);
  buffer.append("again");
  EXPECT_EQ(buffer.view(), "again");
}

}  // namespace
}  // namespace sfs::core
