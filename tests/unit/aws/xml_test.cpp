// The pugixml adapter: local-name lookups, text decoding and error reporting, checked against the
// botocore/Smithy protocol conformance cases (awsQuery and rest-xml output tests) for the parts
// the IAM, STS and S3 parsers depend on: entity and CDATA decoding, whitespace, namespaces and
// ISO 8601 timestamps.
#include "aws/xml.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/clock.h"
#include "unit/aws/xml_corpus.h"

namespace ht::aws::xml {
namespace {

using nlohmann::json;

// The Smithy cases put the value either under the root (rest-xml) or under <OpResult> (query).
Node valueParent(const Document& doc, const std::string& op) {
  if (Node result = child(doc.root(), op + "Result")) return result;
  return doc.root();
}

TEST(XmlProtocolTest, StringValuesDecodeAsBotocoreExpects) {
  ASSERT_TRUE(testdata::corpusPresent());
  int checked = 0;
  for (const testdata::CorpusDoc& doc : testdata::corpus()) {
    if (!doc.expected || !doc.expected->contains("result")) continue;
    const json& c = *doc.expected;
    const std::string op = c.at("given").at("name").get<std::string>();
    if (op != "SimpleScalarProperties" && op != "SimpleScalarXmlProperties") continue;
    const json& result = c.at("result");
    if (!result.contains("stringValue")) continue;
    SCOPED_TRACE(doc.id);
    auto parsed = Document::parse(doc.body, doc.id);
    ASSERT_TRUE(parsed) << parsed.status().toString();
    auto text = xml::text(valueParent(*parsed, op), "stringValue");
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, result.at("stringValue").get<std::string>());
    ++checked;
  }
  // rest-xml: plain, &amp;lt; with char references, &lt;/&gt;, preamble+CDATA+comment, two
  // whitespace cases; query: plain, and its own escaping cases.
  EXPECT_GE(checked, 6);
}

TEST(XmlProtocolTest, IsoTimestampsParseToTheExpectedSecond) {
  ASSERT_TRUE(testdata::corpusPresent());
  int checked = 0;
  for (const testdata::CorpusDoc& doc : testdata::corpus()) {
    if (!doc.expected || !doc.expected->contains("result")) continue;
    const json& c = *doc.expected;
    const std::string op = c.at("given").at("name").get<std::string>();
    if (op != "DatetimeOffsets" && op != "FractionalSeconds" && op != "XmlTimestamps") continue;
    SCOPED_TRACE(doc.id);
    auto parsed = Document::parse(doc.body, doc.id);
    ASSERT_TRUE(parsed) << parsed.status().toString();
    for (const auto& [field, value] : c.at("result").items()) {
      std::string t = text(valueParent(*parsed, op), field).value_or("");
      // Only the date-time format is ours (IAM and S3 use it); epoch and http-date are not.
      if (t.size() < 19 || t[4] != '-' || t[10] != 'T') continue;
      auto tp = parseTime(t);
      ASSERT_TRUE(tp) << t;
      EXPECT_EQ(toUnixSeconds(*tp), static_cast<int64_t>(std::floor(value.get<double>()))) << t;
      ++checked;
    }
  }
  // Per protocol: 2 offsets, 1 fractional, 3 date-time timestamps.
  EXPECT_EQ(checked, 12);
}

TEST(XmlProtocolTest, NamespacedElementsAreFoundByLocalName) {
  ASSERT_TRUE(testdata::corpusPresent());
  int checked = 0;
  for (const testdata::CorpusDoc& doc : testdata::corpus()) {
    if (!doc.expected || !doc.expected->contains("result")) continue;
    if (doc.expected->at("given").at("name") != "XmlNamespaces") continue;
    SCOPED_TRACE(doc.id);
    auto parsed = Document::parse(doc.body, doc.id);
    ASSERT_TRUE(parsed);
    Node nested = child(valueParent(*parsed, "XmlNamespaces"), "nested");
    EXPECT_EQ(text(nested, "foo").value_or(""), "Foo");
    std::vector<std::string> values;
    for (Node m : children(child(nested, "values"), "member")) values.push_back(*text(m, ""));
    EXPECT_EQ(values, (std::vector<std::string>{"Bar", "Baz"}));
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(XmlTest, PrefixesAndPaths) {
  auto doc = Document::parse(
      "<a:Root xmlns:a=\"urn:x\"><a:One><a:Two>2</a:Two></a:One><Three><![CDATA[<3>]]></Three>"
      "<M>1</M><M>2</M></a:Root>",
      "test");
  ASSERT_TRUE(doc) << doc.status().toString();
  EXPECT_EQ(localName(doc->root()), "Root");
  EXPECT_EQ(text(doc->root(), "One/Two").value_or(""), "2");
  EXPECT_EQ(text(doc->root(), "Three").value_or(""), "<3>");
  EXPECT_FALSE(text(doc->root(), "One/Nope"));
  EXPECT_EQ(children(doc->root(), "M").size(), 2u);
  EXPECT_EQ(pathOf(children(doc->root(), "M")[1]), "Root/M[2]");
  EXPECT_EQ(pathOf(path(doc->root(), "One/Two")), "Root/One/Two");
  EXPECT_EQ(localName(descendant(doc->root(), "Two")), "Two");

  auto missing = requireText(doc->root(), "One/Three", "test doc");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().toString(), "Corruption: test doc: missing element <Root/One/Three>");
  EXPECT_TRUE(expectRoot(*doc, "Root", "t"));
  EXPECT_EQ(expectRoot(*doc, "Other", "t").toString(),
            "Corruption: t: expected root element <Other>, found <Root>");
}

TEST(XmlTest, MalformedInputSaysWhereItBroke) {
  auto bad = Document::parse("<a>\n<b>x</c>\n</a>", "doc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("doc: malformed XML at line 2"), std::string::npos)
      << bad.status().message();

  for (const char* not_xml : {"", "   ", "just text", "{\"json\":1}", "<", "<a", "<a><b></a>",
                              "<?xml version=\"1.0\"?>", "<a/><b/>"}) {
    auto r = Document::parse(not_xml, "doc");
    EXPECT_FALSE(r) << "'" << not_xml << "'";
    if (!r) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(XmlTest, PercentDecode) {
  EXPECT_EQ(percentDecode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(percentDecode("a+b"), "a+b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("100%"), "100%");
  EXPECT_EQ(percentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(percentDecode("%C3%A9"), "\xC3\xA9");
}

}  // namespace
}  // namespace ht::aws::xml
