#include "aws/s3_client.h"

#include <charconv>
#include <set>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "core/strings.h"

namespace ht::aws {

namespace {

constexpr char kWhat[] = "ListObjectsV2 response";
// 100,000 pages of 1,000 keys: far beyond any CloudTrail prefix; stops a runaway server.
constexpr int kMaxListPages = 100000;

Result<uint64_t> parseSize(xml::Node contents) {
  HT_ASSIGN_OR_RETURN(std::string text, xml::requireText(contents, "Size", kWhat));
  std::string t = trim(text);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    return Status::corruption(std::string(kWhat) + ": <" + xml::pathOf(contents) +
                              "/Size> is not a size: '" + t + "'");
  }
  return v;
}

Result<bool> parseBool(xml::Node root, std::string_view name, bool required) {
  auto text = xml::text(root, name);
  if (!text) {
    if (required) return xml::require(root, name, kWhat).status();
    return false;
  }
  std::string t = toLower(trim(*text));
  if (t == "true") return true;
  if (t == "false") return false;
  return Status::corruption(std::string(kWhat) + ": <" + xml::pathOf(root) + "/" +
                            std::string(name) + "> is not a boolean: '" + t + "'");
}

// A DNS label S3 can serve as <bucket>.s3.<region>.amazonaws.com over TLS. Names with dots would
// not match the wildcard certificate, and legacy names (upper case, '_') are not valid host names.
bool virtualHostable(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-') return false;
  for (char c : bucket) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string withoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void addQuery(std::string& query, const char* name, const std::string& value) {
  if (!query.empty()) query += '&';
  query += name;
  query += '=';
  query += uriEncode(value, false);
}

}  // namespace

Result<ListObjectsPage> parseListObjectsV2Response(std::string_view body) {
  HT_ASSIGN_OR_RETURN(xml::Document doc, xml::Document::parse(body, kWhat));
  HT_RETURN_IF_ERROR(xml::expectRoot(doc, "ListBucketResult", kWhat));
  xml::Node root = doc.root();
  // With encoding-type=url, S3 percent-encodes keys and prefixes (with '+' for a space) so that
  // keys holding characters XML 1.0 cannot carry still arrive intact.
  const bool url_encoded = toLower(trim(xml::text(root, "EncodingType").value_or(""))) == "url";
  auto decode = [&](std::string s) {
    return url_encoded ? xml::percentDecode(s, /*plus_is_space=*/true) : s;
  };

  ListObjectsPage page;
  for (xml::Node contents : xml::children(root, "Contents")) {
    S3Object obj;
    // Keys are taken as written: leading or trailing spaces are part of an S3 key.
    HT_ASSIGN_OR_RETURN(std::string key, xml::requireText(contents, "Key", kWhat));
    obj.key = decode(std::move(key));
    HT_ASSIGN_OR_RETURN(obj.size, parseSize(contents));
    obj.etag = trim(xml::text(contents, "ETag").value_or(""));
    std::string modified = trim(xml::text(contents, "LastModified").value_or(""));
    if (!modified.empty()) {
      obj.last_modified = parseTime(modified);
      if (!obj.last_modified) {
        return Status::corruption(std::string(kWhat) + ": <" + xml::pathOf(contents) +
                                  "/LastModified> is not an ISO 8601 time: '" + modified + "'");
      }
    }
    page.objects.push_back(std::move(obj));
  }
  for (xml::Node common : xml::children(root, "CommonPrefixes")) {
    HT_ASSIGN_OR_RETURN(std::string prefix, xml::requireText(common, "Prefix", kWhat));
    page.common_prefixes.push_back(decode(std::move(prefix)));
  }
  HT_ASSIGN_OR_RETURN(page.is_truncated, parseBool(root, "IsTruncated", true));
  page.next_continuation_token = trim(xml::text(root, "NextContinuationToken").value_or(""));
  std::string count = trim(xml::text(root, "KeyCount").value_or(""));
  if (count.empty()) {
    // ListObjects (v1) has no KeyCount; v2 counts keys and common prefixes together.
    page.key_count = static_cast<int>(page.objects.size() + page.common_prefixes.size());
  } else {
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), page.key_count);
    if (ec != std::errc() || end != count.data() + count.size() || page.key_count < 0) {
      return Status::corruption(std::string(kWhat) +
                                ": <ListBucketResult/KeyCount> is not a count: '" + count + "'");
    }
  }
  return page;
}

S3Client::S3Client(AwsClient& client, std::string endpoint, std::string region,
                   bool custom_endpoint, S3Addressing addressing)
    : client_(client),
      endpoint_(withoutTrailingSlash(std::move(endpoint))),
      region_(std::move(region)),
      path_style_(addressing == S3Addressing::kPathStyle ||
                  (addressing == S3Addressing::kAuto && custom_endpoint)),
      custom_endpoint_(custom_endpoint) {}

std::string S3Client::objectUrl(const std::string& bucket, const std::string& key,
                                const std::string& query) const {
  std::string url;
  if (path_style_ || !virtualHostable(bucket)) {
    url = endpoint_ + "/" + uriEncode(bucket, false);
    if (!key.empty()) url.append("/").append(uriEncode(key, true));
  } else {
    if (custom_endpoint_) {
      // Virtual-hosted on a custom endpoint (forced by configuration): bucket.<endpoint host>.
      size_t scheme_end = endpoint_.find("://");
      size_t host = scheme_end == std::string::npos ? 0 : scheme_end + 3;
      url = endpoint_.substr(0, host) + bucket + "." + endpoint_.substr(host);
    } else {
      url = "https://" + bucket + ".s3." + region_ + ".amazonaws.com";
    }
    url.append("/").append(uriEncode(key, true));
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<ListObjectsPage> S3Client::listObjectsV2(const ListObjectsRequest& request) {
  // Parameters in canonical (sorted) order; the signer sorts again anyway.
  std::string query;
  if (!request.continuation_token.empty()) {
    addQuery(query, "continuation-token", request.continuation_token);
  }
  if (!request.delimiter.empty()) addQuery(query, "delimiter", request.delimiter);
  addQuery(query, "encoding-type", "url");
  addQuery(query, "list-type", "2");
  if (request.max_keys > 0) addQuery(query, "max-keys", std::to_string(request.max_keys));
  if (!request.prefix.empty()) addQuery(query, "prefix", request.prefix);
  if (!request.start_after.empty()) addQuery(query, "start-after", request.start_after);

  ServiceRequest req;
  req.service = "s3";
  req.region = region_;
  req.method = "GET";
  req.url = objectUrl(request.bucket, "", query);
  req.s3 = true;
  auto res = client_.call(req);
  if (!res) return res.status().withContext("ListObjectsV2 s3://" + request.bucket);
  auto page = parseListObjectsV2Response(res->body);
  if (!page) return page.status().withContext("s3://" + request.bucket);
  return page;
}

Result<std::vector<S3Object>> S3Client::listAll(const std::string& bucket,
                                                const std::string& prefix,
                                                const std::string& start_after) {
  std::vector<S3Object> all;
  std::set<std::string> tokens_seen;
  ListObjectsRequest request;
  request.bucket = bucket;
  request.prefix = prefix;
  request.start_after = start_after;
  for (int pages = 0; pages < kMaxListPages; ++pages) {
    HT_ASSIGN_OR_RETURN(ListObjectsPage page, listObjectsV2(request));
    std::string last_key = page.objects.empty() ? "" : page.objects.back().key;
    for (S3Object& obj : page.objects) all.push_back(std::move(obj));
    if (!page.is_truncated) return all;
    if (!page.next_continuation_token.empty()) {
      if (!tokens_seen.insert(page.next_continuation_token).second) {
        return Status::corruption("S3 ListObjectsV2 s3://" + bucket + ": the server repeated " +
                                  "continuation token '" + page.next_continuation_token + "'");
      }
      request.continuation_token = page.next_continuation_token;
    } else if (!last_key.empty() && last_key > request.start_after) {
      // A server answering in the v1 form (no token): continue after the last key, as v1 does.
      request.continuation_token.clear();
      request.start_after = last_key;
    } else {
      return Status::corruption("S3 ListObjectsV2 s3://" + bucket +
                                ": truncated page without a continuation token");
    }
  }
  return Status::corruption("S3 ListObjectsV2 s3://" + bucket + ": more than " +
                            std::to_string(kMaxListPages) + " pages");
}

Result<std::string> S3Client::getObject(const std::string& bucket, const std::string& key,
                                        const std::string& range) {
  ServiceRequest req;
  req.service = "s3";
  req.region = region_;
  req.method = "GET";
  req.url = objectUrl(bucket, key);
  req.s3 = true;
  if (!range.empty()) req.headers.push_back({"Range", range});
  auto res = client_.call(req);
  if (!res) return res.status().withContext("GetObject s3://" + bucket + "/" + key);
  return std::move(res->body);
}

}  // namespace ht::aws
