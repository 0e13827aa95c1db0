// The SigV4 signer against every published vector in ../shared/testdata/sigv4 (see SOURCES.md
// there): the classic aws-sig-v4-test-suite in two revisions, the CRT (aws-c-auth) v4 suite and
// the S3 documentation examples. Each case directory is its own test, listed at registration time;
// a missing data directory registers one test that fails and says so.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace ht::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSigv4Root = fs::path(HT_SHARED_TESTDATA) / "sigv4";
constexpr const char* kMissing = "MISSING_TESTDATA";

// The classic suite's fixed inputs (its README: AKIDEXAMPLE, us-east-1, "service",
// 20150830T123600Z).
constexpr const char* kSuiteAccessKey = "AKIDEXAMPLE";
constexpr const char* kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kSuiteRegion = "us-east-1";
constexpr const char* kSuiteService = "service";
constexpr const char* kSuiteTime = "2015-08-30T12:36:00Z";

std::optional<std::string> readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

TimePoint parseTimeOrDie(const std::string& text) {
  std::optional<TimePoint> t = parseTime(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(TimePoint{});
}

// ---- The raw HTTP/1.1 request format of .req/.sreq/request.txt files ----------------------------

struct RawRequest {
  std::string method;
  std::string target;  // as on the request line: may hold spaces and raw UTF-8 ("/example space/")
  std::vector<net::HttpHeader> headers;
  std::string body;
};

std::string stripOws(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// Request line "METHOD target HTTP/1.1" (the target may contain spaces, so the version is taken
// from the right), then "Name:value" lines; a line starting with a space or tab continues the
// previous value (obs-fold) and is kept as "\n" plus the line, as it would arrive; an empty line
// ends the headers and the rest is the body. Accepts LF and CRLF line ends.
std::optional<RawRequest> parseRawRequest(std::string_view text, std::string* error) {
  RawRequest out;
  size_t pos = 0;
  auto nextLine = [&](std::string_view* line) {
    if (pos >= text.size()) return false;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    *line = text.substr(pos, end - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = end + 1;
    return true;
  };
  std::string_view line;
  if (!nextLine(&line)) {
    *error = "empty request";
    return std::nullopt;
  }
  const size_t first_space = line.find(' ');
  const size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space ||
      !startsWith(line.substr(last_space + 1), "HTTP/")) {
    *error = "bad request line: " + std::string(line);
    return std::nullopt;
  }
  out.method = std::string(line.substr(0, first_space));
  out.target = std::string(line.substr(first_space + 1, last_space - first_space - 1));
  while (nextLine(&line)) {
    if (line.empty()) {
      out.body = pos < text.size() ? std::string(text.substr(pos)) : "";
      return out;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.headers.empty()) {
        *error = "continuation line before any header";
        return std::nullopt;
      }
      out.headers.back().value += "\n" + std::string(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      *error = "bad header line: " + std::string(line);
      return std::nullopt;
    }
    out.headers.push_back({std::string(line.substr(0, colon)), stripOws(line.substr(colon + 1))});
  }
  return out;  // no blank line: no body
}

std::optional<std::string> findHeader(const std::vector<net::HttpHeader>& headers,
                                      std::string_view name) {
  for (const net::HttpHeader& h : headers) {
    if (toLower(h.name) == toLower(name)) return h.value;
  }
  return std::nullopt;
}

// The request line's target is the wire form of path and query, so it goes into the URL as is.
net::HttpRequest toHttpRequest(const RawRequest& raw) {
  net::HttpRequest r;
  r.method = raw.method;
  r.url = "https://" + findHeader(raw.headers, "host").value_or("missing-host") + raw.target;
  r.headers = raw.headers;
  r.body = raw.body;
  return r;
}

// Headers as a sorted multiset with lower-cased names, to compare signed requests whose header
// order differs (the suites list them in arbitrary orders).
std::vector<std::pair<std::string, std::string>> headerSet(const std::vector<net::HttpHeader>& headers,
                                                           bool drop_authorization = false) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const net::HttpHeader& h : headers) {
    std::string name = toLower(h.name);
    if (drop_authorization && name == "authorization") continue;
    out.emplace_back(std::move(name), h.value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> querySet(std::string_view url_or_target) {
  const size_t q = url_or_target.find('?');
  std::vector<std::string> out;
  if (q == std::string_view::npos) return out;
  out = split(url_or_target.substr(q + 1), '&');
  std::sort(out.begin(), out.end());
  return out;
}

std::string sanitizeName(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

TEST(ParseRawRequestTest, FoldsContinuationLinesAndKeepsTheBody) {
  std::string error;
  auto r =
      parseRawRequest("POST /a b?x=1 HTTP/1.1\r\nHost: h\r\nX:v1\r\n  v2\r\n\r\nbody\n", &error);
  ASSERT_TRUE(r.has_value()) << error;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->target, "/a b?x=1");
  ASSERT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->headers[0].value, "h");
  EXPECT_EQ(r->headers[1].value, "v1\n  v2");
  EXPECT_EQ(r->body, "body\n");
  EXPECT_FALSE(parseRawRequest("GET /\n", &error).has_value());
}

// ---- The classic aws-sig-v4-test-suite: <case>/<case>.{req,creq,sts,authz,sreq} -----------------

struct ClassicCase {
  std::string suite;  // folder under sigv4/
  fs::path root;      // the suite's root directory
  std::string rel;    // the case directory relative to root ("normalize-path/get-slash")
};

void PrintTo(const ClassicCase& c, std::ostream* os) { *os << c.suite << "/" << c.rel; }

std::vector<ClassicCase> listClassic(const std::string& suite, const fs::path& root) {
  std::vector<ClassicCase> out;
  std::error_code ec;
  if (fs::is_directory(root, ec)) {
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory()) continue;
      const fs::path dir = it->path();
      if (fs::exists(dir / (dir.filename().string() + ".req"))) {
        out.push_back({suite, root, fs::relative(dir, root).generic_string()});
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ClassicCase& a, const ClassicCase& b) { return a.rel < b.rel; });
  if (out.empty()) out.push_back({suite, root, kMissing});
  return out;
}

std::string classicName(const testing::TestParamInfo<ClassicCase>& info) {
  return sanitizeName(info.param.rel);
}

// Expectations in a suite copy that AWS itself later corrected. Such a case is checked against the
// corrected files, and the test also proves that the stale expectation is still what the old copy
// says (so a re-vendored copy that fixes it makes the test point that out).
const std::map<std::string, std::string>& supersededCases() {
  static const std::map<std::string, std::string> kCases = {
      {"mhart-aws4/get-header-value-multiline",
       "the 2015 revision joined the folded lines of My-Header1 with ',' "
       "(\"value1,value2,value3\"), "
       "as if they were repeated headers; the 2019 revision (botocore copy) corrected it to one "
       "value with the line folds collapsed to single spaces (\"value1 value2 value3\"), which is "
       "what RFC 7230 obs-fold and the SigV4 Trimall rule say. A signer cannot satisfy both."},
  };
  return kCases;
}

// .sreq files whose Authorization line disagrees with the case's own .authz/.creq/.sts.
const std::map<std::string, std::string>& sreqErrata() {
  static const std::map<std::string, std::string> kCases = {
      {"botocore-aws4_testsuite/get-vanilla-with-session-token",
       "its .sreq carries get-vanilla's signature (5fa00fa3...), a copy-paste slip in the suite; "
       "the .authz (07ec1639...) agrees with the .creq/.sts and with the CRT suite's copy"},
  };
  return kCases;
}

struct ClassicExpected {
  std::string creq, sts, authz;
};

void expectClassic(const SigningDebug& debug, const std::string& authorization,
                   const ClassicExpected& want) {
  EXPECT_EQ(debug.canonical_request, want.creq);
  EXPECT_EQ(debug.string_to_sign, want.sts);
  EXPECT_EQ(authorization, want.authz);
}

class ClassicSuiteTest : public testing::TestWithParam<ClassicCase> {};

TEST_P(ClassicSuiteTest, CanonicalRequestStringToSignAndAuthorization) {
  const ClassicCase& c = GetParam();
  ASSERT_NE(c.rel, kMissing) << "no SigV4 test cases under " << c.root
                             << ": the shared test data (../shared/testdata/sigv4/" << c.suite
                             << ") is missing or empty";
  const fs::path dir = c.root / c.rel;
  const std::string base = (dir / dir.filename()).string();
  const std::string key = c.suite + "/" + c.rel;

  std::optional<std::string> req_text = readFile(base + ".req");
  std::optional<std::string> creq = readFile(base + ".creq");
  std::optional<std::string> sts = readFile(base + ".sts");
  std::optional<std::string> authz = readFile(base + ".authz");
  ASSERT_TRUE(req_text && creq && sts && authz) << "incomplete case " << dir;
  std::optional<std::string> sreq_text = readFile(base + ".sreq");

  std::string error;
  std::optional<RawRequest> raw = parseRawRequest(*req_text, &error);
  ASSERT_TRUE(raw.has_value()) << base << ".req: " << error;
  std::optional<RawRequest> sreq;
  if (sreq_text) {
    sreq = parseRawRequest(*sreq_text, &error);
    ASSERT_TRUE(sreq.has_value()) << base << ".sreq: " << error;
  }

  // The session-token cases take the token from the signed request (the suite states it nowhere
  // else); per the suite's post-sts-token/readme.txt, "-after" means added after signing.
  Credentials creds{kSuiteAccessKey, SecretString(kSuiteSecret), "", std::nullopt};
  SigningParams params;
  params.region = kSuiteRegion;
  params.service = kSuiteService;
  params.time = parseTimeOrDie(kSuiteTime);
  if (sreq) creds.session_token = findHeader(sreq->headers, "x-amz-security-token").value_or("");
  params.omit_session_token = endsWith(c.rel, "-after");

  const net::HttpRequest request = toHttpRequest(*raw);
  Result<SigningDebug> debug = computeSignature(request, creds, params, /*presign=*/false);
  ASSERT_TRUE(debug.hasValue()) << debug.status().toString();
  net::HttpRequest signed_request = request;
  Status st = signRequest(&signed_request, creds, params);
  ASSERT_TRUE(st.isOk()) << st.toString();
  const std::string authorization =
      findHeader(signed_request.headers, "authorization").value_or("");

  ClassicExpected want{*creq, *sts, *authz};
  if (auto it = supersededCases().find(key); it != supersededCases().end()) {
    RecordProperty("superseded", it->second);
    std::cout << "[   NOTE   ] " << key << ": checked against the corrected 2019 files, because "
              << it->second << "\n";
    EXPECT_NE(debug->canonical_request, want.creq) << "the stale expectation now matches";
    const fs::path fixed = kSigv4Root / "botocore-aws4_testsuite" / c.rel / dir.filename();
    std::optional<std::string> fcreq = readFile(fixed.string() + ".creq");
    std::optional<std::string> fsts = readFile(fixed.string() + ".sts");
    std::optional<std::string> fauthz = readFile(fixed.string() + ".authz");
    ASSERT_TRUE(fcreq && fsts && fauthz) << "corrected copy missing: " << fixed;
    want = {*fcreq, *fsts, *fauthz};
  }
  expectClassic(*debug, authorization, want);

  if (sreq) {
    EXPECT_EQ(signed_request.method, sreq->method);
    EXPECT_EQ(headerSet(signed_request.headers, true), headerSet(sreq->headers, true));
    const std::string sreq_authz = findHeader(sreq->headers, "authorization").value_or("");
    if (auto it = sreqErrata().find(key); it != sreqErrata().end()) {
      RecordProperty("sreq_erratum", it->second);
      EXPECT_NE(sreq_authz, want.authz) << "the .sreq erratum is gone: " << it->second;
    } else if (supersededCases().count(key) == 0) {
      EXPECT_EQ(authorization, sreq_authz);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Botocore, ClassicSuiteTest,
                         testing::ValuesIn(listClassic("botocore-aws4_testsuite",
                                                       kSigv4Root / "botocore-aws4_testsuite")),
                         classicName);
INSTANTIATE_TEST_SUITE_P(Mhart, ClassicSuiteTest,
                         testing::ValuesIn(listClassic("mhart-aws4", kSigv4Root / "mhart-aws4" /
                                                                         "aws-sig-v4-test-suite")),
                         classicName);

// ---- The CRT (aws-c-auth) v4 suite: context.json + header-* and query-* expectations ------------

const fs::path kCrtRoot = kSigv4Root / "aws-c-auth" / "tests" / "aws-signing-test-suite";

std::vector<std::string> listCrtV4() {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_directory(kCrtRoot / "v4", ec)) {
    for (const auto& entry : fs::directory_iterator(kCrtRoot / "v4", ec)) {
      if (fs::exists(entry.path() / "context.json")) {
        out.push_back(entry.path().filename().string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back(kMissing);
  return out;
}

struct CrtContext {
  Credentials creds;
  SigningParams params;
  std::chrono::seconds expires{0};
};

std::optional<CrtContext> loadCrtContext(const fs::path& file, std::string* error) {
  std::optional<std::string> text = readFile(file);
  if (!text) {
    *error = "cannot read " + file.string();
    return std::nullopt;
  }
  try {
    const json j = json::parse(*text);
    CrtContext ctx;
    const json& cr = j.at("credentials");
    ctx.creds.access_key_id = cr.at("access_key_id").get<std::string>();
    ctx.creds.secret_access_key = SecretString(cr.at("secret_access_key").get<std::string>());
    ctx.creds.session_token = cr.value("token", "");
    ctx.params.region = j.at("region").get<std::string>();
    ctx.params.service = j.at("service").get<std::string>();
    ctx.params.time = parseTimeOrDie(j.at("timestamp").get<std::string>());
    ctx.params.normalize_path = j.at("normalize").get<bool>();
    ctx.params.add_content_sha256_header = j.at("sign_body").get<bool>();
    ctx.params.omit_session_token = j.value("omit_session_token", false);
    ctx.expires = std::chrono::seconds(j.at("expiration_in_seconds").get<int64_t>());
    return ctx;
  } catch (const json::exception& e) {
    *error = file.string() + ": " + e.what();
    return std::nullopt;
  }
}

class CrtV4Test : public testing::TestWithParam<std::string> {
 protected:
  void load() {
    ASSERT_NE(GetParam(), kMissing) << "no CRT v4 cases under " << kCrtRoot / "v4"
                                    << ": the shared test data is missing or empty";
    dir_ = kCrtRoot / "v4" / GetParam();
    std::string error;
    std::optional<CrtContext> ctx = loadCrtContext(dir_ / "context.json", &error);
    ASSERT_TRUE(ctx.has_value()) << error;
    ctx_ = std::move(*ctx);
    std::optional<std::string> text = readFile(dir_ / "request.txt");
    ASSERT_TRUE(text.has_value()) << dir_;
    std::optional<RawRequest> raw = parseRawRequest(*text, &error);
    ASSERT_TRUE(raw.has_value()) << dir_ << "/request.txt: " << error;
    request_ = toHttpRequest(*raw);
  }
  std::string expected(const std::string& name) {
    std::optional<std::string> text = readFile(dir_ / name);
    EXPECT_TRUE(text.has_value()) << "missing " << dir_ / name;
    return text.value_or("<missing>");
  }
  fs::path dir_;
  CrtContext ctx_;
  net::HttpRequest request_;
};

TEST_P(CrtV4Test, HeaderSigning) {
  ASSERT_NO_FATAL_FAILURE(load());
  Result<SigningDebug> debug = computeSignature(request_, ctx_.creds, ctx_.params, false);
  ASSERT_TRUE(debug.hasValue()) << debug.status().toString();
  EXPECT_EQ(debug->canonical_request, expected("header-canonical-request.txt"));
  EXPECT_EQ(debug->string_to_sign, expected("header-string-to-sign.txt"));
  EXPECT_EQ(debug->signature, expected("header-signature.txt"));

  // The whole signed request, Authorization and the token placement included.
  net::HttpRequest signed_request = request_;
  Status st = signRequest(&signed_request, ctx_.creds, ctx_.params);
  ASSERT_TRUE(st.isOk()) << st.toString();
  std::string error;
  std::optional<RawRequest> want = parseRawRequest(expected("header-signed-request.txt"), &error);
  ASSERT_TRUE(want.has_value()) << error;
  EXPECT_EQ(headerSet(signed_request.headers), headerSet(want->headers));
  EXPECT_EQ(signed_request.body, want->body);
}

TEST_P(CrtV4Test, QuerySigning) {
  ASSERT_NO_FATAL_FAILURE(load());
  Result<SigningDebug> debug =
      computeSignature(request_, ctx_.creds, ctx_.params, true, ctx_.expires);
  ASSERT_TRUE(debug.hasValue()) << debug.status().toString();
  EXPECT_EQ(debug->canonical_request, expected("query-canonical-request.txt"));
  EXPECT_EQ(debug->string_to_sign, expected("query-string-to-sign.txt"));
  EXPECT_EQ(debug->signature, expected("query-signature.txt"));

  Result<std::string> url = presignUrl(request_, ctx_.creds, ctx_.params, ctx_.expires);
  ASSERT_TRUE(url.hasValue()) << url.status().toString();
  std::string error;
  std::optional<RawRequest> want = parseRawRequest(expected("query-signed-request.txt"), &error);
  ASSERT_TRUE(want.has_value()) << error;
  // The suite orders X-Amz-Expires after X-Amz-SignedHeaders; order carries no meaning.
  EXPECT_EQ(querySet(*url), querySet(want->target));
  const std::string prefix =
      "https://example.amazonaws.com" + want->target.substr(0, want->target.find('?'));
  EXPECT_TRUE(startsWith(*url, prefix)) << *url;
}

INSTANTIATE_TEST_SUITE_P(AwsCAuth, CrtV4Test, testing::ValuesIn(listCrtV4()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return sanitizeName(info.param);
                         });

// The v4a directory holds SigV4a (ECDSA P-256 over a derived key, region sets): another algorithm,
// which honeytrail does not implement, so its cases are deliberately not registered here.

// ---- S3 documentation examples
// -------------------------------------------------------------------

const fs::path kS3DocFile = kSigv4Root / "aws-s3-doc-examples" / "s3_sigv4_doc_examples.json";

std::optional<json> loadS3Doc() {
  std::optional<std::string> text = readFile(kS3DocFile);
  if (!text) return std::nullopt;
  try {
    return json::parse(*text);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> listS3Doc() {
  std::vector<std::string> out;
  if (std::optional<json> doc = loadS3Doc(); doc && doc->contains("cases")) {
    for (const json& c : (*doc)["cases"]) out.push_back(c.value("name", ""));
  }
  if (out.empty()) out.push_back(kMissing);
  return out;
}

// "20130524T000000Z" -> TimePoint
TimePoint parseAmzDate(const std::string& s) {
  EXPECT_EQ(s.size(), 16u) << s;
  if (s.size() != 16) return TimePoint{};
  return parseTimeOrDie(s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" +
                        s.substr(9, 2) + ":" + s.substr(11, 2) + ":" + s.substr(13, 2) + "Z");
}

class S3DocExampleTest : public testing::TestWithParam<std::string> {};

TEST_P(S3DocExampleTest, SignsLikeTheDocumentation) {
  ASSERT_NE(GetParam(), kMissing) << kS3DocFile << " is missing, unreadable or has no cases";
  std::optional<json> doc = loadS3Doc();
  ASSERT_TRUE(doc.has_value());
  const json* found = nullptr;
  for (const json& c : (*doc)["cases"]) {
    if (c.value("name", "") == GetParam()) found = &c;
  }
  ASSERT_NE(found, nullptr);
  const json& c = *found;

  Credentials creds;
  creds.access_key_id = (*doc)["credentials"]["access_key_id"].get<std::string>();
  creds.secret_access_key =
      SecretString((*doc)["credentials"]["secret_access_key"].get<std::string>());
  SigningParams params;
  params.region = (*doc)["region"].get<std::string>();
  params.service = (*doc)["service"].get<std::string>();
  params.time = parseAmzDate((*doc)["x-amz-date"].get<std::string>());
  params.s3_style_uri = true;

  const std::string query = c["canonical_query"].get<std::string>();
  const bool presign = query.find("X-Amz-Signature") == std::string::npos &&
                       query.find("X-Amz-Algorithm") != std::string::npos;
  const json& headers = c["headers"];
  net::HttpRequest request;
  request.method = c["method"].get<std::string>();
  request.url = "https://" + headers["host"].get<std::string>() + c["path"].get<std::string>();
  if (!presign && !query.empty()) request.url += "?" + query;
  // The signer adds x-amz-date and x-amz-content-sha256 itself; the rest come from the caller.
  for (const auto& item : headers.items()) {
    if (item.key() == "x-amz-date" || item.key() == "x-amz-content-sha256") continue;
    request.headers.push_back({item.key(), item.value().get<std::string>()});
  }
  if (c["payload"].is_string()) request.body = c["payload"].get<std::string>();
  params.add_content_sha256_header = headers.contains("x-amz-content-sha256");

  std::chrono::seconds expires{0};
  if (presign) {
    const size_t at = query.find("X-Amz-Expires=");
    ASSERT_NE(at, std::string::npos);
    expires = std::chrono::seconds(std::stoll(query.substr(at + 14)));
  }
  Result<SigningDebug> debug = computeSignature(request, creds, params, presign, expires);
  ASSERT_TRUE(debug.hasValue()) << debug.status().toString();
  EXPECT_EQ(debug->canonical_request, c["canonical_request"].get<std::string>());
  EXPECT_EQ(debug->string_to_sign, c["string_to_sign"].get<std::string>());
  EXPECT_EQ(debug->signature, c["signature_published"].get<std::string>());

  if (presign) {
    Result<std::string> url = presignUrl(request, creds, params, expires);
    ASSERT_TRUE(url.hasValue()) << url.status().toString();
    EXPECT_EQ(*url, request.url + "?" + query +
                        "&X-Amz-Signature=" + c["signature_published"].get<std::string>());
  } else {
    net::HttpRequest signed_request = request;
    ASSERT_TRUE(signRequest(&signed_request, creds, params).isOk());
    std::vector<net::HttpHeader> want;
    for (const auto& item : headers.items()) {
      want.push_back({item.key(), item.value().get<std::string>()});
    }
    const std::string scope = split(c["string_to_sign"].get<std::string>(), '\n').at(2);
    want.push_back(
        {"authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
                              ", SignedHeaders=" + c["signed_headers"].get<std::string>() +
                              ", Signature=" + c["signature_published"].get<std::string>()});
    EXPECT_EQ(headerSet(signed_request.headers), headerSet(want));
  }
}

INSTANTIATE_TEST_SUITE_P(AwsDocs, S3DocExampleTest, testing::ValuesIn(listS3Doc()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return sanitizeName(info.param);
                         });

// ---- Behaviour the suites do not pin down
// ---------------------------------------------------------

Credentials exampleCreds() {
  return {kSuiteAccessKey, SecretString(kSuiteSecret), "", std::nullopt};
}

SigningParams exampleParams() {
  SigningParams p;
  p.region = kSuiteRegion;
  p.service = kSuiteService;
  p.time = parseTimeOrDie(kSuiteTime);
  return p;
}

std::string canonicalUriOf(const std::string& url, const SigningParams& params) {
  net::HttpRequest r;
  r.url = url;
  Result<SigningDebug> d = computeSignature(r, exampleCreds(), params, false);
  EXPECT_TRUE(d.hasValue()) << d.status().toString();
  if (!d.hasValue()) return "";
  return split(d->canonical_request, '\n').at(1);
}

TEST(SigV4Test, UriEncoding) {
  EXPECT_EQ(uriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(uriEncode("a b/c+d=e*", false), "a%20b%2Fc%2Bd%3De%2A");
  EXPECT_EQ(uriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(uriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4Test, NonS3PathsAreEncodedAgainAndNormalised) {
  const SigningParams p = exampleParams();
  EXPECT_EQ(canonicalUriOf("https://iam.amazonaws.com/a%20b", p), "/a%2520b");
  EXPECT_EQ(canonicalUriOf("https://iam.amazonaws.com", p), "/");
  EXPECT_EQ(canonicalUriOf("https://iam.amazonaws.com/a/./b/../c//d/", p), "/a/c/d/");
  EXPECT_EQ(canonicalUriOf("https://iam.amazonaws.com/a/b/..", p), "/a/");
  EXPECT_EQ(canonicalUriOf("https://iam.amazonaws.com/../..", p), "/");
}

TEST(SigV4Test, S3PathsAreEncodedOnceAndNotNormalised) {
  SigningParams p = exampleParams();
  p.service = "s3";
  p.s3_style_uri = true;
  EXPECT_EQ(canonicalUriOf("https://b.s3.amazonaws.com/test$file.text", p), "/test%24file.text");
  EXPECT_EQ(canonicalUriOf("https://b.s3.amazonaws.com/test%24file.text", p), "/test%24file.text");
  EXPECT_EQ(canonicalUriOf("https://b.s3.amazonaws.com/my-object//example//photo.user", p),
            "/my-object//example//photo.user");
  EXPECT_EQ(canonicalUriOf("https://b.s3.amazonaws.com/a/./b/../c", p), "/a/./b/../c");
}

TEST(SigV4Test, QueryIsDecodedThenEncodedAndSorted) {
  net::HttpRequest r;
  r.url = "https://example.amazonaws.com/?b=2&a=%7e%2F&flag&a=1&c=x+y&&d=%zz";
  Result<SigningDebug> d = computeSignature(r, exampleCreds(), exampleParams(), false);
  ASSERT_TRUE(d.hasValue());
  EXPECT_EQ(split(d->canonical_request, '\n').at(2), "a=1&a=~%2F&b=2&c=x%2By&d=%25zz&flag=");
}

TEST(SigV4Test, HostComesFromTheUrlWithoutTheDefaultPort) {
  for (const auto& [url, host] : std::vector<std::pair<std::string, std::string>>{
           {"https://example.com:443/", "example.com"},
           {"http://example.com:80/x", "example.com"},
           {"http://127.0.0.1:4566/", "127.0.0.1:4566"},
           {"https://example.com?x=1", "example.com"}}) {
    net::HttpRequest r;
    r.url = url;
    ASSERT_TRUE(signRequest(&r, exampleCreds(), exampleParams()).isOk());
    EXPECT_EQ(findHeader(r.headers, "host"), host) << url;
  }
}

TEST(SigV4Test, ResigningReplacesRatherThanDuplicates) {
  // AwsClient signs every retry again, on the same request object.
  net::HttpRequest r;
  r.method = "POST";
  r.url = "https://sts.amazonaws.com/";
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  Credentials creds = exampleCreds();
  creds.session_token = "token";
  SigningParams p = exampleParams();
  p.add_content_sha256_header = true;
  ASSERT_TRUE(signRequest(&r, creds, p).isOk());
  const std::vector<net::HttpHeader> first = r.headers;
  ASSERT_TRUE(signRequest(&r, creds, p).isOk());
  EXPECT_EQ(headerSet(r.headers), headerSet(first));
  EXPECT_EQ(r.headers.size(), 5u);  // Host, X-Amz-Date, token, content hash, Authorization
}

TEST(SigV4Test, UnsignedPayloadAndContentHashHeader) {
  net::HttpRequest r;
  r.method = "PUT";
  r.url = "https://b.s3.amazonaws.com/k";
  r.body = "data";
  SigningParams p = exampleParams();
  p.service = "s3";
  p.s3_style_uri = true;
  p.add_content_sha256_header = true;
  p.unsigned_payload = true;
  ASSERT_TRUE(signRequest(&r, exampleCreds(), p).isOk());
  EXPECT_EQ(findHeader(r.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  Result<SigningDebug> d = computeSignature(r, exampleCreds(), p, false);
  ASSERT_TRUE(d.hasValue());
  EXPECT_TRUE(endsWith(d->canonical_request, "\nUNSIGNED-PAYLOAD"));
}

TEST(SigV4Test, PresignedS3UrlsUseUnsignedPayloadAndSignTheToken) {
  net::HttpRequest r;
  r.url = "https://b.s3.amazonaws.com/k?versionId=1";
  r.body = "ignored";
  Credentials creds = exampleCreds();
  creds.session_token = "tok/en";
  SigningParams p = exampleParams();
  p.service = "s3";
  p.s3_style_uri = true;
  Result<SigningDebug> d = computeSignature(r, creds, p, true, std::chrono::seconds(60));
  ASSERT_TRUE(d.hasValue());
  EXPECT_TRUE(endsWith(d->canonical_request, "\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(d->canonical_request.find("X-Amz-Security-Token=tok%2Fen"), std::string::npos);
  Result<std::string> url = presignUrl(r, creds, p, std::chrono::seconds(60));
  ASSERT_TRUE(url.hasValue());
  EXPECT_TRUE(startsWith(*url, "https://b.s3.amazonaws.com/k?versionId=1&X-Amz-Algorithm="));
  EXPECT_TRUE(endsWith(*url, "&X-Amz-Signature=" + d->signature));
}

TEST(SigV4Test, RejectsBadInputWithoutNamingTheSecret) {
  const std::string secret = kSuiteSecret;
  auto expectInvalid = [&](const net::HttpRequest& r, const Credentials& c, const SigningParams& p,
                           std::chrono::seconds expires = std::chrono::seconds(0)) {
    Result<SigningDebug> d = computeSignature(r, c, p, expires.count() != 0, expires);
    ASSERT_FALSE(d.hasValue());
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << d.status().toString();
    EXPECT_EQ(d.status().message().find(secret), std::string::npos) << d.status().toString();
    EXPECT_EQ(d.status().message().find("EXAMPLEKEY"), std::string::npos);
  };
  net::HttpRequest ok;
  ok.url = "https://example.amazonaws.com/";
  SigningParams p = exampleParams();

  Credentials no_secret = exampleCreds();
  no_secret.secret_access_key = SecretString();
  expectInvalid(ok, no_secret, p);
  Credentials no_key = exampleCreds();
  no_key.access_key_id.clear();
  expectInvalid(ok, no_key, p);
  Credentials bad_token = exampleCreds();
  bad_token.session_token = "a\r\nInjected: yes";
  expectInvalid(ok, bad_token, p);

  SigningParams no_time = p;
  no_time.time = TimePoint{};
  expectInvalid(ok, exampleCreds(), no_time);
  SigningParams bad_region = p;
  bad_region.region = "us-east-1/x";
  expectInvalid(ok, exampleCreds(), bad_region);

  net::HttpRequest bad_url;
  bad_url.url = "example.amazonaws.com/";
  expectInvalid(bad_url, exampleCreds(), p);
  net::HttpRequest injected = ok;
  injected.headers.push_back({"X-Test", "a\r\nX-Evil: 1"});
  expectInvalid(injected, exampleCreds(), p);
  net::HttpRequest bad_name = ok;
  bad_name.headers.push_back({"Bad Name", "x"});
  expectInvalid(bad_name, exampleCreds(), p);

  expectInvalid(ok, exampleCreds(), p, std::chrono::seconds(604801));
  expectInvalid(ok, exampleCreds(), p, std::chrono::seconds(-5));
  net::HttpRequest presigned = ok;
  presigned.url += "?X-Amz-Credential=x&X-Amz-Signature=y";
  expectInvalid(presigned, exampleCreds(), p, std::chrono::seconds(60));

  // signRequest leaves the request alone when it fails.
  net::HttpRequest untouched = injected;
  EXPECT_FALSE(signRequest(&untouched, exampleCreds(), p).isOk());
  EXPECT_EQ(untouched.headers.size(), 1u);
}

}  // namespace
}  // namespace ht::aws
