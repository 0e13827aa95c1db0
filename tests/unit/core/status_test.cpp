#include "core/status.h"

#include <gtest/gtest.h>

namespace ht {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return Status::invalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Status quarter(int x, int* out) {
  HT_ASSIGN_OR_RETURN(int h, half(x));
  HT_ASSIGN_OR_RETURN(int q, half(h));
  *out = q;
  return Status::ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::ok().isOk());
  Status st = Status::notFound("token 'x'");
  EXPECT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.toString(), "NotFound: token 'x'");
  EXPECT_EQ(st.withContext("show").message(), "show: token 'x'");
}

TEST(StatusTest, ResultPropagation) {
  int out = 0;
  EXPECT_TRUE(quarter(8, &out).isOk());
  EXPECT_EQ(out, 2);
  Status st = quarter(6, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "odd: 3");
}

}  // namespace
}  // namespace ht
