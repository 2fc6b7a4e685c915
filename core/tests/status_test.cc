#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace sfs::core {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return Status::invalid_argument("not positive: " + std::to_string(x));
  return x;
}

Result<int> doubled(int x) {
  SFS_ASSIGN_OR_RETURN(int value, parse_positive(x));
  return value * 2;
}

Status check_both(int a, int b) {
  SFS_TRY(parse_positive(a));
  SFS_TRY(parse_positive(b).status());
  return Status::ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.is_ok());
  EXPECT_EQ(status.to_string(), "ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status status = Status::not_found("no such key");
  EXPECT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), Code::kNotFound);
  EXPECT_EQ(status.to_string(), "not found: no such key");
  EXPECT_EQ(status.with_context("loading").message(), "loading: no such key");
}

TEST(StatusTest, IoErrorAppendsStrerror) {
  Status status = Status::io_error("open x", ENOENT);
  EXPECT_EQ(status.message(), "open x: No such file or directory");
}

TEST(ResultTest, ValueOrStatus) {
  Result<int> good = doubled(21);
  ASSERT_TRUE(good.is_ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "not positive: -1");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(ResultTest, TryReturnsFirstError) {
  EXPECT_TRUE(check_both(1, 2).is_ok());
  EXPECT_EQ(check_both(1, -2).message(), "not positive: -2");
  EXPECT_EQ(check_both(-1, -2).message(), "not positive: -1");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(5);
  std::unique_ptr<int> owned = std::move(result).value();
  EXPECT_EQ(*owned, 5);
}

}  // namespace
}  // namespace sfs::core
