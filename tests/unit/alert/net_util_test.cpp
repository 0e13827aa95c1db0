// The shared pieces of every output: the DNS pin that closes the rebinding gap between the
// private-address check and the connection, and the check itself on literals and names.
#include "alert/net_util.h"

#include <gtest/gtest.h>

namespace ht::alert::detail {
namespace {

TEST(ResolvePinTest, NamesHostPortAndEveryCheckedAddress) {
  EXPECT_EQ(resolvePin("https://hooks.example.com/services/x", {"93.184.216.34"}),
            "hooks.example.com:443:93.184.216.34");
  EXPECT_EQ(resolvePin("http://hooks.example.com/x", {"93.184.216.34"}),
            "hooks.example.com:80:93.184.216.34");
  EXPECT_EQ(resolvePin("https://user:pw@hooks.example.com:8443/x?q=1",
                       {"93.184.216.34", "2606:2800:220:1::1"}),
            "hooks.example.com:8443:93.184.216.34,[2606:2800:220:1::1]");
}

TEST(RefusePrivateTargetTest, LiteralsNeedNoPinAndPrivateNamesAreRefused) {
  std::vector<std::string> pin;
  // 192.0.2.0/24 is documentation space, not private: allowed, and a literal needs no pin.
  EXPECT_FALSE(refusePrivateTarget("https://192.0.2.10/hook", "https://192.0.2.10/…", &pin));
  EXPECT_TRUE(pin.empty());
  auto refused = refusePrivateTarget("http://localhost:8080/hook", "http://localhost:8080/…", &pin);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->retryable);
  EXPECT_NE(refused->error.find("loopback"), std::string::npos) << refused->error;
  auto unresolvable = refusePrivateTarget("https://nowhere.invalid/x", "https://nowhere.invalid/…",
                                          &pin);
  ASSERT_TRUE(unresolvable.has_value());
  EXPECT_TRUE(unresolvable->retryable);
  EXPECT_TRUE(pin.empty()) << "nothing is pinned for a refused target";
}

TEST(CheckHostTest, ListsTheAddressesItChecked) {
  HostCheck literal = checkHost("192.0.2.10");
  EXPECT_EQ(literal.reason, "");
  EXPECT_EQ(literal.addresses, (std::vector<std::string>{"192.0.2.10"}));
  HostCheck loop = checkHost("127.0.0.1");
  EXPECT_NE(loop.reason, "");
}

}  // namespace
}  // namespace ht::alert::detail
