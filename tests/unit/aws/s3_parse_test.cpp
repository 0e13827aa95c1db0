// ListBucketResult parsing: every recorded ListObjects document under ../shared/testdata/iam (v1;
// the shared data holds no recorded v2 page, so the v2 fields are checked on hand-written pages
// shaped like the S3 API reference), and bad input.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "aws/s3_client.h"
#include "unit/aws/xml_corpus.h"

namespace ht::aws {
namespace {

using nlohmann::json;
using testdata::corpus;
using testdata::CorpusDoc;

// [key, size, etag, last_modified] per object, in canonical form.
json toJson(const ListObjectsPage& p) {
  json objects = json::array();
  for (const S3Object& o : p.objects) {
    objects.push_back(
        {o.key, o.size, o.etag, o.last_modified ? json(formatTime(*o.last_modified)) : json()});
  }
  return {{"objects", objects},
          {"common_prefixes", p.common_prefixes},
          {"is_truncated", p.is_truncated},
          {"next_continuation_token", p.next_continuation_token},
          {"key_count", p.key_count}};
}

json page(json objects, json prefixes, bool truncated, int count) {
  return {{"objects", std::move(objects)},
          {"common_prefixes", std::move(prefixes)},
          {"is_truncated", truncated},
          {"next_continuation_token", ""},
          {"key_count", count}};
}

// Expected values, written from reading each file.
const std::map<std::string, json>& expectedPages() {
  static const std::map<std::string, json> m = [] {
    std::map<std::string, json> m;
    const char* apps_etags[] = {
        "c82e6a0025c31c5de5947fda62ac51ab", "944fab2c5a9a6bacf07db5e688310d7a",
        "a227b8888045c8fd159fb495214000f0", "c9caa76c3dec53e2a192608ce73eef03",
        "1ce5d0dcc6154a647ea90c7bdf82a224", "79433524d87462ee05708a8ef894ed55",
        "dd00a060b28ddca8bc5a21a49e306f67", "8cd06eca6e819a927b07a285d750b100",
        "174495094d0633b92cbe46603eee6bad", "cd8a19b26fea8a827276df0ad11c580d"};
    json apps = json::array();
    for (int i = 0; i < 10; ++i) {
      const char* second = i == 0 ? "08" : i <= 5 ? "09" : "10";
      std::string key = "apps/";
      key += std::to_string(i);
      std::string etag = std::string("\"").append(apps_etags[i]).append("\"");
      apps.push_back({key, 8, etag, std::string("2009-05-07T18:27:") + second + "Z"});
    }
    m["jclouds-s3/list_bucket.xml"] = page(apps, json::array(), false, 10);

    const json nelson_neo =
        json::array({{"Nelson", 5, "\"828ef3fdfa96f00ad9f27c383fc9ac7f\"", "2006-01-01T12:00:00Z"},
                     {"Neo", 4, "\"828ef3fdfa96f00ad9f27c383fc9ac7f\"", "2006-01-01T12:00:00Z"}});
    m["goamz/s3/GetListResultDump1.xml"] = page(nelson_neo, json::array(), false, 2);
    m["net-amazon-s3/response__bucket_objects_list_v1_with_filter.xml"] =
        page(nelson_neo, json::array(), false, 2);
    m["net-amazon-s3/response__bucket_objects_list_v1_with_filter_truncated.xml"] =
        page(nelson_neo, json::array(), true, 2);
    m["goamz/s3/GetListResultDump2.xml"] =
        page(json::array(), {"photos/2006/feb/", "photos/2006/jan/"}, false, 2);
    m["net-amazon-s3/response__bucket_objects_list_v1_with_prefix_and_delimiter.xml"] =
        page(json::array(), {"photos/2006/February/", "photos/2006/January/"}, false, 2);
    m["net-amazon-s3/response__bucket_objects_list_v1.xml"] =
        page(json::array({{"my-image.jpg", 434234, "\"fba9dede5f27731c9771645a39863328\"",
                           "2009-10-12T17:50:30Z"},
                          {"my-third-image.jpg", 64994, "\"1b2cf535f27731c974343645a3985328\"",
                           "2009-10-12T17:50:30Z"}}),
             json::array(), false, 2);
    // Google Cloud Storage's S3 interface: truncated with a NextMarker and no v2 token.
    m["net-amazon-s3/response__bucket_objects_list_v1_google_cloud_storage.xml"] =
        page(json::array({{"path/to/value", 742213, "\"1f52bad2879ca96dacd7a40f33001230\"",
                           "2017-04-21T22:06:03Z"},
                          {"path/to/value2", 742214, "\"1f52bad2889ca96dacd7a40f33001230\"",
                           "2018-04-21T22:06:03Z"}}),
             json::array(), true, 2);
    m["net-amazon-s3/response__bucket_objects_list_v1_with_delimiter.xml"] =
        page(json::array({{"sample.jpg", 142863, "\"bf1d737a4d46a19f3bced6905cc8b902\"",
                           "2011-02-26T01:56:20Z"}}),
             {"photos/"}, false, 2);
    return m;
  }();
  return m;
}

// botocore's expected parse of a ListObjects response, in canonical form.
json fromBotocore(const json& b) {
  json objects = json::array();
  for (const json& c : b.value("Contents", json::array())) {
    auto t = parseTime(c.at("LastModified").get<std::string>());
    objects.push_back({c.at("Key"), c.at("Size"), c.at("ETag"), t ? json(formatTime(*t)) : json()});
  }
  json prefixes = json::array();
  for (const json& p : b.value("CommonPrefixes", json::array())) prefixes.push_back(p.at("Prefix"));
  return page(objects, prefixes, b.at("IsTruncated").get<bool>(),
              static_cast<int>(objects.size() + prefixes.size()));
}

TEST(S3ParseCorpusTest, EveryListBucketResultParsesToItsExpectedValues) {
  ASSERT_TRUE(testdata::corpusPresent());
  std::set<std::string> seen;
  for (const CorpusDoc& doc : corpus()) {
    if (doc.root != "ListBucketResult") continue;
    SCOPED_TRACE(doc.id);
    seen.insert(doc.id);
    auto parsed = parseListObjectsV2Response(doc.body);
    ASSERT_TRUE(parsed) << parsed.status().toString();
    if (auto it = expectedPages().find(doc.id); it != expectedPages().end()) {
      EXPECT_EQ(toJson(*parsed), it->second);
    } else if (doc.expected) {
      EXPECT_EQ(toJson(*parsed), fromBotocore(*doc.expected)) << "against botocore's parse";
    } else {
      ADD_FAILURE() << "no expected values for " << doc.id << ": add them to expectedPages()";
    }
  }
  for (const auto& [id, _] : expectedPages()) {
    EXPECT_TRUE(seen.count(id)) << "expected document not found in the test data: " << id;
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(S3ParseCorpusTest, EveryOtherDocumentIsRejectedAsCorruption) {
  ASSERT_TRUE(testdata::corpusPresent());
  int rejected = 0;
  for (const CorpusDoc& doc : corpus()) {
    if (doc.root == "ListBucketResult") continue;
    auto r = parseListObjectsV2Response(doc.body);
    ASSERT_FALSE(r) << doc.id;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << doc.id;
    if (!doc.root.empty()) {
      EXPECT_NE(r.status().message().find("<ListBucketResult>"), std::string::npos)
          << doc.id << ": " << r.status().message();
    }
    ++rejected;
  }
  EXPECT_GT(rejected, 100);
}

TEST(S3ParseCorpusTest, TruncatedListsAreCorruption) {
  ASSERT_TRUE(testdata::corpusPresent());
  int cuts = 0;
  for (const CorpusDoc& doc : corpus()) {
    if (doc.root != "ListBucketResult") continue;
    const size_t close = doc.body.rfind("</");
    for (size_t len = 0; len < close; len += 5) {
      auto r = parseListObjectsV2Response(std::string_view(doc.body).substr(0, len));
      ASSERT_FALSE(r) << doc.id << " cut at " << len;
      ASSERT_EQ(r.status().code(), StatusCode::kCorruption);
      ++cuts;
    }
  }
  EXPECT_GT(cuts, 500);
}

// Hand-written v2 pages, shaped like the ListObjectsV2 examples in the S3 API reference.
TEST(S3ParseTest, V2PageWithTokenAndKeyCount) {
  auto p = parseListObjectsV2Response(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>trail-bucket</Name><Prefix>AWSLogs/</Prefix><KeyCount>3</KeyCount>"
      "<MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
      "<ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=</NextContinuationToken>"
      "<StartAfter>AWSLogs/0</StartAfter>"
      "<Contents><Key>AWSLogs/a.json.gz</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>"
      "<ETag>\"abc\"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>18446744073709551615"
      "</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>AWSLogs/b.json.gz</Key><Size>0</Size></Contents>"
      "<CommonPrefixes><Prefix>AWSLogs/123456789012/</Prefix></CommonPrefixes>"
      "</ListBucketResult>");
  ASSERT_TRUE(p) << p.status().toString();
  EXPECT_EQ(toJson(*p),
            json({{"objects", json::array({{"AWSLogs/a.json.gz", 18446744073709551615ull, "\"abc\"",
                                            "2024-01-02T03:04:05Z"},
                                           {"AWSLogs/b.json.gz", 0, "", nullptr}})},
                  {"common_prefixes", {"AWSLogs/123456789012/"}},
                  {"is_truncated", true},
                  {"next_continuation_token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN="},
                  {"key_count", 3}}));
}

TEST(S3ParseTest, UrlEncodedKeysAreDecodedOnlyWhenS3SaysSo) {
  const char* encoded =
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
      "<Contents><Key>logs/a+b%2Bc%0A%C3%A9.gz</Key><Size>1</Size></Contents>"
      "<CommonPrefixes><Prefix>dir+x/</Prefix></CommonPrefixes></ListBucketResult>";
  auto p = parseListObjectsV2Response(encoded);
  ASSERT_TRUE(p) << p.status().toString();
  ASSERT_EQ(p->objects.size(), 1u);
  EXPECT_EQ(p->objects[0].key, "logs/a b+c\n\xC3\xA9.gz");
  EXPECT_EQ(p->common_prefixes, std::vector<std::string>{"dir x/"});

  auto plain = parseListObjectsV2Response(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%2B</Key><Size>1</Size>"
      "</Contents><Contents><Key>  </Key><Size>2</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(plain) << plain.status().toString();
  EXPECT_EQ(plain->objects[0].key, "a+b%2B");
  EXPECT_EQ(plain->objects[1].key, "  ");  // spaces are a valid key, kept as written
}

TEST(S3ParseTest, BadInputIsCorruptionNamingTheElement) {
  struct Case {
    const char* body;
    const char* needle;
  };
  const Case cases[] = {
      {"<ListBucketResult><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>",
       "<ListBucketResult/IsTruncated>"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>1</Size></Contents>"
       "</ListBucketResult>",
       "<ListBucketResult/Contents/Key>"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents>"
       "</ListBucketResult>",
       "<ListBucketResult/Contents/Size>"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size>"
       "</Contents><Contents><Key>k2</Key><Size>-1</Size></Contents></ListBucketResult>",
       "ListBucketResult/Contents[2]/Size"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>99999999999"
       "999999999999</Size></Contents></ListBucketResult>",
       "Size"},
      {"<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>", "IsTruncated"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>many</KeyCount>"
       "</ListBucketResult>",
       "KeyCount"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size>"
       "<LastModified>Tue, 29 Apr 2014 18:30:38 GMT</LastModified></Contents></ListBucketResult>",
       "LastModified"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated><CommonPrefixes/></ListBucketResult>",
       "<ListBucketResult/CommonPrefixes/Prefix>"},
      {"<ListAllMyBucketsResult/>", "expected root element <ListBucketResult>"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated>", "ends early"},
      {"", "no root element"},
  };
  for (const Case& c : cases) {
    auto r = parseListObjectsV2Response(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << c.body;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.body << "\n  -> " << r.status().message();
  }
}

}  // namespace
}  // namespace ht::aws
