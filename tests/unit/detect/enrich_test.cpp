// Source-IP enrichment against MaxMind databases the tests write themselves (support/mmdb_writer)
// and opened by the real libmaxminddb, plus Tor exit lists in both accepted formats.
#include "detect/enrich.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/mmdb_writer.h"
#include "support/test_support.h"

namespace ht::detect {
namespace {

using test::MmdbValue;
using test::MmdbWriter;

// The shape of a GeoLite2-Country record, trimmed to what matters plus a sibling key.
MmdbValue countryRecord(const std::string& iso, const std::string& name) {
  return MmdbValue::map({
      {"continent", MmdbValue::map({{"code", MmdbValue::string("EU")}})},
      {"country", MmdbValue::map({
                      {"geoname_id", MmdbValue::uint32(2921044)},
                      {"iso_code", MmdbValue::string(iso)},
                      {"names", MmdbValue::map({{"en", MmdbValue::string(name)}})},
                  })},
  });
}

MmdbValue asnRecord(uint32_t asn, const std::string& org) {
  return MmdbValue::map({
      {"autonomous_system_number", MmdbValue::uint32(asn)},
      {"autonomous_system_organization", MmdbValue::string(org)},
  });
}

class EnrichTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MmdbWriter country("GeoLite2-Country");
    ASSERT_TRUE(country.insert("81.2.69.0/24", countryRecord("GB", "United Kingdom")).isOk());
    // More specific than the /24 above: the writer must split it and the lookup find the /28.
    ASSERT_TRUE(country.insert("81.2.69.192/28", countryRecord("IE", "Ireland")).isOk());
    ASSERT_TRUE(country.insert("89.160.20.112/28", countryRecord("SE", "Sweden")).isOk());
    ASSERT_TRUE(country.insert("2a01:4f8::/32", countryRecord("DE", "Germany")).isOk());
    ASSERT_TRUE(country.writeFile(country_db_).isOk());

    MmdbWriter asn("GeoLite2-ASN");
    ASSERT_TRUE(asn.insert("1.128.0.0/11", asnRecord(1221, "Telstra Pty Ltd")).isOk());
    ASSERT_TRUE(asn.insert("2a01:4f8::/32", asnRecord(24940, "Hetzner Online GmbH")).isOk());
    ASSERT_TRUE(asn.insert("185.220.101.0/24", asnRecord(208294, "Relayon.org")).isOk());
    ASSERT_TRUE(asn.writeFile(asn_db_).isOk());
  }

  std::unique_ptr<Enricher> openOrDie(const EnricherFiles& files) {
    auto e = Enricher::open(files);
    EXPECT_TRUE(e.hasValue()) << e.status().toString();
    return e.hasValue() ? std::move(e).value() : nullptr;
  }

  test::TempDir dir_;
  std::string country_db_ = dir_ / "GeoLite2-Country.mmdb";
  std::string asn_db_ = dir_ / "GeoLite2-ASN.mmdb";
};

TEST_F(EnrichTest, CountryForIpv4AndIpv6) {
  auto e = openOrDie({.geoip_db = country_db_});
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->hasGeo());
  EXPECT_FALSE(e->hasAsn());
  EXPECT_FALSE(e->hasTor());
  EXPECT_EQ(e->lookup("81.2.69.142").country, "GB");
  EXPECT_EQ(e->lookup("81.2.69.0").country, "GB");
  EXPECT_EQ(e->lookup("81.2.69.255").country, "GB");
  EXPECT_EQ(e->lookup("81.2.69.200").country, "IE");
  EXPECT_EQ(e->lookup("89.160.20.115").country, "SE");
  EXPECT_EQ(e->lookup("2a01:4f8:c17:b8f::2").country, "DE");
  // Upper case and the uncompressed form are the same address.
  EXPECT_EQ(e->lookup("2A01:04F8:0C17:0B8F:0000:0000:0000:0002").country, "DE");
  IpEnrichment r = e->lookup("81.2.69.142");
  EXPECT_FALSE(r.asn.has_value());
  EXPECT_EQ(r.as_org, "");
  EXPECT_FALSE(r.tor_exit.has_value());
}

TEST_F(EnrichTest, AsnNumberAndOrganisation) {
  auto e = openOrDie({.asn_db = asn_db_});
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->hasAsn());
  EXPECT_FALSE(e->hasGeo());
  IpEnrichment telstra = e->lookup("1.128.0.1");
  ASSERT_TRUE(telstra.asn.has_value());
  EXPECT_EQ(*telstra.asn, 1221u);
  EXPECT_EQ(telstra.as_org, "Telstra Pty Ltd");
  EXPECT_EQ(telstra.country, "");
  EXPECT_EQ(e->lookup("1.159.255.255").asn, std::optional<uint32_t>(1221));
  EXPECT_FALSE(e->lookup("1.160.0.0").asn.has_value());  // just past the /11
  IpEnrichment hetzner = e->lookup("2a01:4f8::1");
  EXPECT_EQ(hetzner.asn, std::optional<uint32_t>(24940));
  EXPECT_EQ(hetzner.as_org, "Hetzner Online GmbH");
  EXPECT_EQ(e->lookup("185.220.101.1").asn, std::optional<uint32_t>(208294));
}

TEST_F(EnrichTest, AddressInNoNetworkIsEmpty) {
  auto e = openOrDie({.geoip_db = country_db_, .asn_db = asn_db_});
  ASSERT_NE(e, nullptr);
  for (const char* ip : {"8.8.8.8", "81.2.70.1", "2001:db8::1", "0.0.0.0", "::1"}) {
    IpEnrichment r = e->lookup(ip);
    EXPECT_TRUE(r.empty()) << ip << " -> " << r.country << " " << r.as_org;
  }
}

TEST_F(EnrichTest, NonIpInputIsEmpty) {
  test::writeText(dir_ / "tor.txt", "185.220.101.1\n");
  auto e =
      openOrDie({.geoip_db = country_db_, .asn_db = asn_db_, .tor_exit_list = dir_ / "tor.txt"});
  ASSERT_NE(e, nullptr);
  // CloudTrail's sourceIPAddress for calls AWS makes, and shorthand IPv4 forms that getaddrinfo
  // would accept but are not how an address is recorded.
  for (const char* text :
       {"AWS Internal", "", "ec2.amazonaws.com", "cloudtrail.amazonaws.com", "81.2.69",
        "81.2.69.142.1", "81.2.69.142/24", "2a01:4f8::1::2", "0x51.2.69.142"}) {
    IpEnrichment r = e->lookup(text);
    EXPECT_TRUE(r.empty()) << "'" << text << "'";
    EXPECT_FALSE(r.tor_exit.has_value()) << "'" << text << "'";
  }
}

TEST_F(EnrichTest, Ipv4MappedIpv6UsesTheIpv4Entry) {
  test::writeText(dir_ / "tor.txt", "185.220.101.1\n");
  auto e =
      openOrDie({.geoip_db = country_db_, .asn_db = asn_db_, .tor_exit_list = dir_ / "tor.txt"});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->lookup("::ffff:81.2.69.142").country, "GB");
  IpEnrichment r = e->lookup("::FFFF:185.220.101.1");
  EXPECT_EQ(r.asn, std::optional<uint32_t>(208294));
  EXPECT_EQ(r.tor_exit, std::optional<bool>(true));
  // Surrounding whitespace from hand-edited input does not defeat the lookup.
  EXPECT_EQ(e->lookup(" 81.2.69.142\n").country, "GB");
}

TEST_F(EnrichTest, OneDatabaseServesCountryAndAsn) {
  // GeoIP2-ISP/Enterprise style: one record carries both the country and the network owner.
  MmdbWriter both("GeoIP2-Enterprise");
  MmdbValue rec = countryRecord("DE", "Germany");
  rec.entries.emplace_back("autonomous_system_number", MmdbValue::uint32(24940));
  rec.entries.emplace_back("autonomous_system_organization",
                           MmdbValue::string("Hetzner Online GmbH"));
  ASSERT_TRUE(both.insert("88.198.0.0/16", rec).isOk());
  ASSERT_TRUE(both.insert("2a01:4f8::/32", rec).isOk());
  std::string path = dir_ / "enterprise.mmdb";
  ASSERT_TRUE(both.writeFile(path).isOk());

  auto e = openOrDie({.geoip_db = path, .asn_db = path});
  ASSERT_NE(e, nullptr);
  for (const char* ip : {"88.198.54.1", "2a01:4f8:1:2::3"}) {
    IpEnrichment r = e->lookup(ip);
    EXPECT_EQ(r.country, "DE") << ip;
    EXPECT_EQ(r.asn, std::optional<uint32_t>(24940)) << ip;
    EXPECT_EQ(r.as_org, "Hetzner Online GmbH") << ip;
  }
}

TEST_F(EnrichTest, TorExitAddressesFormat) {
  // As published at check.torproject.org/exit-addresses (an IPv6 ExitAddress added).
  std::string path = dir_ / "exit-addresses";
  test::writeText(path,
                  "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
                  "Published 2024-01-01 06:28:53\n"
                  "LastStatus 2024-01-01 07:00:00\n"
                  "ExitAddress 162.247.74.201 2024-01-01 07:03:45\n"
                  "ExitNode 0091174DE56EADE1C5E6C8D0B9FA1E14E2B6A8CC\n"
                  "Published 2024-01-01 13:10:02\n"
                  "LastStatus 2024-01-01 14:00:00\n"
                  "ExitAddress 185.220.101.1 2024-01-01 14:02:13\n"
                  "ExitAddress 2a0b:f4c2:2::1 2024-01-01 14:02:13\n");
  auto e = openOrDie({.asn_db = asn_db_, .tor_exit_list = path});
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->hasTor());
  EXPECT_EQ(e->torExitCount(), 3u);
  IpEnrichment r = e->lookup("185.220.101.1");
  EXPECT_EQ(r.tor_exit, std::optional<bool>(true));
  EXPECT_EQ(r.asn, std::optional<uint32_t>(208294));
  EXPECT_EQ(e->lookup("162.247.74.201").tor_exit, std::optional<bool>(true));
  EXPECT_EQ(e->lookup("2A0B:F4C2:0002:0000::0001").tor_exit, std::optional<bool>(true));
  EXPECT_EQ(e->lookup("185.220.101.2").tor_exit, std::optional<bool>(false));
}

TEST_F(EnrichTest, TorOneAddressPerLineWithEquivalentIpv6) {
  std::string path = dir_ / "tor-exits.txt";
  test::writeText(path,
                  "# Tor exits, one per line\n"
                  "\n"
                  "  185.220.101.1  \n"
                  "2A0B:F4C2:0002:0000:0000:0000:0000:0001   # written long-hand\n"
                  "162.247.74.201\r\n"
                  "not-an-address\n");
  auto e = openOrDie({.tor_exit_list = path});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->torExitCount(), 3u);
  EXPECT_EQ(e->lookup("2a0b:f4c2:2::1").tor_exit, std::optional<bool>(true));
  EXPECT_EQ(e->lookup("185.220.101.1").tor_exit, std::optional<bool>(true));
  EXPECT_EQ(e->lookup("162.247.74.201").tor_exit, std::optional<bool>(true));
  EXPECT_EQ(e->lookup("2a0b:f4c2:2::2").tor_exit, std::optional<bool>(false));
  IpEnrichment r = e->lookup("81.2.69.142");
  EXPECT_EQ(r.tor_exit, std::optional<bool>(false));
  EXPECT_FALSE(r.empty());  // a known "not an exit" is information
  EXPECT_EQ(r.country, "");
}

TEST_F(EnrichTest, TorUnsetWithoutList) {
  auto e = openOrDie({.geoip_db = country_db_});
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->hasTor());
  EXPECT_EQ(e->torExitCount(), 0u);
  EXPECT_FALSE(e->lookup("185.220.101.1").tor_exit.has_value());

  auto none = openOrDie({});
  ASSERT_NE(none, nullptr);
  EXPECT_FALSE(none->hasGeo());
  EXPECT_FALSE(none->hasAsn());
  EXPECT_TRUE(none->lookup("81.2.69.142").empty());
}

TEST_F(EnrichTest, MissingFileIsNotFoundNamingThePath) {
  std::string missing = dir_.file("nope/GeoLite2-City.mmdb");
  for (const EnricherFiles& files :
       {EnricherFiles{.geoip_db = missing}, EnricherFiles{.asn_db = missing},
        EnricherFiles{.tor_exit_list = missing}}) {
    auto e = Enricher::open(files);
    ASSERT_FALSE(e.hasValue());
    EXPECT_EQ(e.status().code(), StatusCode::kNotFound) << e.status().toString();
    EXPECT_NE(e.status().message().find(missing), std::string::npos) << e.status().toString();
  }
  // A good file does not mask a missing one configured next to it.
  auto e = Enricher::open({.geoip_db = country_db_, .asn_db = missing});
  ASSERT_FALSE(e.hasValue());
  EXPECT_NE(e.status().message().find(missing), std::string::npos);
}

TEST_F(EnrichTest, NonMmdbFileIsRejectedNamingThePath) {
  std::string json = dir_ / "GeoLite2-Country.json";
  test::writeText(json, R"({"country": {"iso_code": "GB"}})");
  std::string random = dir_ / "random.mmdb";
  std::string bytes;
  uint32_t x = 0x12345678;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1664525u + 1013904223u;  // fixed LCG: the same "random" bytes every run
    bytes.push_back(static_cast<char>(x >> 24));
  }
  test::writeText(random, bytes);
  std::string empty = dir_ / "empty.mmdb";
  test::writeText(empty, "");
  // Right marker, garbage after it: found as MaxMind, then refused as damaged.
  std::string bad_metadata = dir_ / "bad-metadata.mmdb";
  test::writeText(bad_metadata, std::string(32, '\0') + "\xAB\xCD\xEFMaxMind.com" + "\xE1junk");

  for (const std::string& path : {json, random, empty, bad_metadata, dir_.path()}) {
    for (bool as_asn : {false, true}) {
      EnricherFiles files;
      (as_asn ? files.asn_db : files.geoip_db) = path;
      auto e = Enricher::open(files);
      ASSERT_FALSE(e.hasValue()) << path;
      StatusCode code = e.status().code();
      EXPECT_TRUE(code == StatusCode::kInvalidArgument || code == StatusCode::kCorruption ||
                  code == StatusCode::kIoError)
          << e.status().toString();
      EXPECT_NE(e.status().message().find(path), std::string::npos) << e.status().toString();
    }
  }
  // The JSON file is plainly not a database: the message says so, with libmaxminddb's reason.
  auto e = Enricher::open({.geoip_db = json});
  ASSERT_FALSE(e.hasValue());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("not a MaxMind database"), std::string::npos)
      << e.status().toString();
  EXPECT_NE(e.status().message().find("metadata"), std::string::npos) << e.status().toString();
}

TEST_F(EnrichTest, TorListWithoutAddressesIsInvalid) {
  std::string empty = dir_ / "empty.txt";
  test::writeText(empty, "");
  std::string comments = dir_ / "comments.txt";
  test::writeText(comments, "# nothing yet\n\n   \n");
  std::string only_nodes = dir_ / "exit-addresses";
  test::writeText(only_nodes,
                  "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
                  "Published 2024-01-01 06:28:53\n"
                  "LastStatus 2024-01-01 07:00:00\n");
  for (const std::string& path : {empty, comments, only_nodes}) {
    auto e = Enricher::open({.geoip_db = country_db_, .tor_exit_list = path});
    ASSERT_FALSE(e.hasValue()) << path;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << e.status().toString();
    EXPECT_NE(e.status().message().find(path), std::string::npos) << e.status().toString();
  }
}

TEST_F(EnrichTest, ConcurrentLookupsAgree) {
  test::writeText(dir_ / "tor.txt", "185.220.101.1\n2a0b:f4c2:2::1\n");
  auto e =
      openOrDie({.geoip_db = country_db_, .asn_db = asn_db_, .tor_exit_list = dir_ / "tor.txt"});
  ASSERT_NE(e, nullptr);
  const std::vector<std::string> ips = {"81.2.69.142",  "81.2.69.200",   "2a01:4f8::1",
                                        "1.128.0.1",    "185.220.101.1", "8.8.8.8",
                                        "AWS Internal", "2a0b:f4c2:2::1"};
  std::vector<IpEnrichment> expected;
  for (const auto& ip : ips) expected.push_back(e->lookup(ip));
  ASSERT_EQ(expected[0].country, "GB");
  ASSERT_EQ(expected[2].as_org, "Hetzner Online GmbH");

  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2000; ++round) {
        size_t i = static_cast<size_t>(round + t) % ips.size();
        IpEnrichment r = e->lookup(ips[i]);
        const IpEnrichment& want = expected[i];
        if (r.country != want.country || r.asn != want.asn || r.as_org != want.as_org ||
            r.tor_exit != want.tor_exit) {
          ++mismatches[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[static_cast<size_t>(t)], 0) << t;
}

// The writer itself: every record size, and an IPv4-only tree, read back by libmaxminddb.
class EnrichMmdbWriterTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(EnrichMmdbWriterTest, RoundTripsThroughLibmaxminddb) {
  auto [ip_version, record_size] = GetParam();
  test::TempDir dir;
  MmdbWriter w("GeoLite2-ASN", ip_version, record_size);
  ASSERT_TRUE(w.insert("10.0.0.0/8", asnRecord(64512, "Private A")).isOk());
  ASSERT_TRUE(w.insert("10.1.2.3", asnRecord(64513, "One host")).isOk());
  ASSERT_TRUE(w.insert("192.0.2.0/24", asnRecord(4294967295u, "Max ASN")).isOk());
  ASSERT_TRUE(w.insert("not-a-network/8", asnRecord(1, "x")).code() ==
              StatusCode::kInvalidArgument);
  if (ip_version == 6) {
    ASSERT_TRUE(w.insert("2001:db8::/32", asnRecord(64514, "Documentation")).isOk());
  } else {
    EXPECT_FALSE(w.insert("2001:db8::/32", asnRecord(64514, "Documentation")).isOk());
  }
  std::string path = dir / "w.mmdb";
  ASSERT_TRUE(w.writeFile(path).isOk());

  auto opened = Enricher::open({.asn_db = path});
  ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
  const Enricher& e = **opened;
  EXPECT_EQ(e.lookup("10.200.0.1").as_org, "Private A");
  EXPECT_EQ(e.lookup("10.1.2.3").as_org, "One host");
  EXPECT_EQ(e.lookup("10.1.2.2").as_org, "Private A");
  EXPECT_EQ(e.lookup("10.1.2.4").as_org, "Private A");
  EXPECT_EQ(e.lookup("192.0.2.77").asn, std::optional<uint32_t>(4294967295u));
  EXPECT_TRUE(e.lookup("11.0.0.1").empty());
  if (ip_version == 6) {
    EXPECT_EQ(e.lookup("2001:db8:ffff::1").asn, std::optional<uint32_t>(64514));
  } else {
    // An IPv4-only database knows nothing of IPv6; that is no error.
    EXPECT_TRUE(e.lookup("2001:db8::1").empty());
  }
}

INSTANTIATE_TEST_SUITE_P(EnrichWriter, EnrichMmdbWriterTest,
                         ::testing::Values(std::pair{6, 24}, std::pair{6, 28}, std::pair{6, 32},
                                           std::pair{4, 24}, std::pair{4, 28}));

}  // namespace
}  // namespace ht::detect
