#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace ht::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};  // SigV4's hard limit

using Digest = std::array<unsigned char, 32>;

// Zeroes a buffer that held key material when it goes out of scope, on every return path.
class Wiper {
 public:
  Wiper(void* p, size_t n) : p_(p), n_(n) {}
  ~Wiper() { secureZero(p_, n_); }
  Wiper(const Wiper&) = delete;
  Wiper& operator=(const Wiper&) = delete;

 private:
  void* p_;
  size_t n_;
};

std::string toHex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

bool hmacSha256(const void* key, size_t key_len, std::string_view data, Digest* out) {
  unsigned int len = 0;
  const unsigned char* r =
      HMAC(EVP_sha256(), key, static_cast<int>(key_len),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out->data(), &len);
  return r != nullptr && len == out->size();
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX sequences decoded; a '%' not followed by two hex digits stays literal. '+' stays '+':
// AWS reads query strings as RFC 3986, not as HTML form encoding.
std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]);
      int lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct ParsedUrl {
  std::string scheme;
  std::string host_header;  // host[:port], the port only when it is not the scheme's default
  std::string path;         // as on the wire; "/" when empty
  std::string query;        // without '?'
};

Result<ParsedUrl> parseUrl(std::string_view url) {
  ParsedUrl out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return Status::invalidArgument("cannot sign a URL without scheme://host: '" +
                                   std::string(url.substr(0, 200)) + "'");
  }
  out.scheme = toLower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view path_and_query =
      auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return Status::invalidArgument("cannot sign a URL without a plain host: '" +
                                   std::string(url.substr(0, 200)) + "'");
  }
  // Drop the default port: clients send "Host: example.com" for https://example.com:443/.
  std::string host(authority);
  const size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    std::string_view port = std::string_view(host).substr(colon + 1);
    if ((out.scheme == "https" && port == "443") || (out.scheme == "http" && port == "80") ||
        port.empty()) {
      host.resize(colon);
    }
  }
  out.host_header = host;
  const size_t q = path_and_query.find('?');
  out.path = std::string(path_and_query.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(path_and_query.substr(q + 1));
  if (out.path.empty()) out.path = "/";
  return out;
}

// RFC 3986 remove_dot_segments, plus collapsing empty segments ("//"), as the suite's
// normalize-path cases want. A trailing slash (or a trailing "." / "..") leaves a trailing slash.
std::string normalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    const bool last = end == path.size();
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else if (seg == ".") {
      trailing_slash = last;
    } else if (seg.empty()) {
      trailing_slash = last && !segments.empty();
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

std::string canonicalUri(const std::string& wire_path, const SigningParams& params) {
  if (params.s3_style_uri) {
    // S3 signs the object key encoded once; decoding first makes "$" and "%24" sign the same.
    return uriEncode(percentDecode(wire_path), /*keep_slash=*/true);
  }
  // Everyone else encodes the path as it is on the wire, which is already encoded once: hence
  // AWS's "encode twice". The suite's raw paths ("/example space/") are wire paths too.
  const std::string path = params.normalize_path ? normalizePath(wire_path) : wire_path;
  return uriEncode(path, /*keep_slash=*/true);
}

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // encoded name, value

void appendQuery(std::string_view query, QueryParams* out) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      out->emplace_back(uriEncode(percentDecode(name), false),
                        uriEncode(percentDecode(value), false));
    }
    start = end + 1;
  }
}

std::string canonicalQuery(QueryParams params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trimmed, with every run of whitespace (folded line breaks included) made one space.
std::string canonicalHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (isSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool isTokenChar(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool isValidHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return isTokenChar(static_cast<unsigned char>(c));
  });
}

// A line break is allowed only as an obs-fold (followed by a space or tab); anything else would
// let a value smuggle a second header into the request.
bool isValidHeaderValue(std::string_view v) {
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '\0') return false;
    if (c == '\r') {
      if (i + 1 >= v.size() || v[i + 1] != '\n') return false;
    } else if (c == '\n') {
      if (i + 1 >= v.size() || (v[i + 1] != ' ' && v[i + 1] != '\t')) return false;
    }
  }
  return true;
}

// Hop-by-hop and agent headers that proxies and HTTP libraries rewrite in transit; signing them
// would turn a harmless rewrite into SignatureDoesNotMatch. Authorization carries the signature.
bool isUnsignedHeader(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 11> kNames = {
      "authorization", "connection",        "expect",  "keep-alive", "proxy-authorization", "te",
      "trailer",       "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && toLower(a) == toLower(b);
}

void removeHeader(std::vector<net::HttpHeader>* headers, std::string_view name) {
  std::erase_if(*headers, [&](const net::HttpHeader& h) { return equalsIgnoreCase(h.name, name); });
}

bool hasHeader(const std::vector<net::HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const net::HttpHeader& h) { return equalsIgnoreCase(h.name, name); });
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" lines
  std::string signed_names;  // "host;x-amz-date"
};

CanonicalHeaders canonicalHeaders(const std::vector<net::HttpHeader>& headers) {
  // Stable sort keeps the order of repeated headers, whose values join with ',' in that order.
  std::vector<std::pair<std::string, std::string>> lowered;
  for (const net::HttpHeader& h : headers) {
    std::string name = toLower(h.name);
    if (isUnsignedHeader(name)) continue;
    lowered.emplace_back(std::move(name), canonicalHeaderValue(h.value));
  }
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      out.block.back() = ',';  // replaces the previous line's '\n'
    } else {
      if (!out.signed_names.empty()) out.signed_names.push_back(';');
      out.signed_names += lowered[i].first;
      out.block += lowered[i].first;
      out.block.push_back(':');
    }
    out.block += lowered[i].second;
    out.block.push_back('\n');
  }
  return out;
}

std::string amzDate(TimePoint t) {
  const std::time_t tt = static_cast<std::time_t>(toUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool isScopeComponent(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Status validate(const net::HttpRequest& request, const Credentials& credentials,
                const SigningParams& params) {
  if (credentials.access_key_id.empty()) {
    return Status::invalidArgument("cannot sign: no access key ID");
  }
  for (char c : credentials.access_key_id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/' || c == ',' || c == '=') {
      return Status::invalidArgument("cannot sign: the access key ID has a character that " +
                                     std::string("cannot appear in a credential scope"));
    }
  }
  if (credentials.secret_access_key.empty()) {
    return Status::invalidArgument("cannot sign: credentials for " + credentials.access_key_id +
                                   " have no secret access key");
  }
  for (char c : credentials.session_token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::invalidArgument("cannot sign: the session token for " +
                                     credentials.access_key_id + " has control characters");
    }
  }
  if (!isScopeComponent(params.region)) {
    return Status::invalidArgument("cannot sign: bad region '" + params.region + "'");
  }
  if (!isScopeComponent(params.service)) {
    return Status::invalidArgument("cannot sign: bad service name '" + params.service + "'");
  }
  if (params.time == TimePoint{}) {
    return Status::invalidArgument("cannot sign: the signing time was not set");
  }
  if (!isValidHeaderName(request.method)) {
    return Status::invalidArgument("cannot sign: bad HTTP method '" + request.method + "'");
  }
  for (const net::HttpHeader& h : request.headers) {
    if (!isValidHeaderName(h.name)) {
      return Status::invalidArgument("cannot sign: bad header name '" + h.name + "'");
    }
    if (!isValidHeaderValue(h.value)) {
      return Status::invalidArgument("cannot sign: header '" + h.name +
                                     "' has a line break or NUL in its value");
    }
  }
  return Status::ok();
}

// Everything a signature produces: the debug pieces and what to put on the request.
struct Signed {
  SigningDebug debug;
  std::vector<net::HttpHeader> headers;  // the request's headers after signing (header mode)
  std::string url;                  // the presigned URL (query mode)
};

Result<std::string> deriveSignature(const Credentials& credentials, const SigningParams& params,
                                    std::string_view date, std::string_view string_to_sign) {
  std::string k_secret = "AWS4";
  k_secret += credentials.secret_access_key.reveal();
  Wiper wipe_secret(k_secret.data(), k_secret.size());
  Digest k_date{}, k_region{}, k_service{}, k_signing{}, sig{};
  Wiper w1(k_date.data(), k_date.size()), w2(k_region.data(), k_region.size()),
      w3(k_service.data(), k_service.size()), w4(k_signing.data(), k_signing.size());
  if (!hmacSha256(k_secret.data(), k_secret.size(), date, &k_date) ||
      !hmacSha256(k_date.data(), k_date.size(), params.region, &k_region) ||
      !hmacSha256(k_region.data(), k_region.size(), params.service, &k_service) ||
      !hmacSha256(k_service.data(), k_service.size(), "aws4_request", &k_signing) ||
      !hmacSha256(k_signing.data(), k_signing.size(), string_to_sign, &sig)) {
    return Status::internal("HMAC-SHA256 failed in OpenSSL");
  }
  return toHex(sig.data(), sig.size());
}

Result<Signed> sign(const net::HttpRequest& request, const Credentials& credentials,
                    const SigningParams& params, bool presign, std::chrono::seconds expires) {
  HT_RETURN_IF_ERROR(validate(request, credentials, params));
  if (presign && (expires.count() < 1 || expires > kMaxPresignExpiry)) {
    return Status::invalidArgument("cannot presign: expiry must be 1 to 604800 seconds, not " +
                                   std::to_string(expires.count()));
  }
  HT_ASSIGN_OR_RETURN(ParsedUrl url, parseUrl(request.url));

  const std::string date_time = amzDate(params.time);
  const std::string date = date_time.substr(0, 8);
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  const bool has_token = !credentials.session_token.empty();
  const bool sign_token = has_token && !params.omit_session_token;

  std::string payload_hash;
  if (params.unsigned_payload || (presign && params.s3_style_uri)) {
    payload_hash = kUnsignedPayload;
  } else {
    payload_hash = sha256Hex(request.body);
  }

  Signed out;
  out.headers = request.headers;
  if (!hasHeader(out.headers, "host")) out.headers.push_back({"Host", url.host_header});
  removeHeader(&out.headers, "authorization");

  QueryParams query;
  appendQuery(url.query, &query);
  // The X-Amz-* parameters in URL order; the canonical query sorts its own copy.
  std::vector<std::pair<std::string, std::string>> auth_params;
  if (presign) {
    for (const auto& [name, value] : query) {
      if (name == "X-Amz-Signature" || name == "X-Amz-Credential") {
        return Status::invalidArgument("cannot presign a URL that is already presigned");
      }
    }
    auth_params.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
    auth_params.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + scope);
    auth_params.emplace_back("X-Amz-Date", date_time);
    auth_params.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
    auth_params.emplace_back("X-Amz-SignedHeaders", canonicalHeaders(out.headers).signed_names);
    if (sign_token) auth_params.emplace_back("X-Amz-Security-Token", credentials.session_token);
    for (const auto& [name, value] : auth_params) {
      query.emplace_back(uriEncode(name, false), uriEncode(value, false));
    }
  } else {
    removeHeader(&out.headers, "x-amz-date");
    out.headers.push_back({"X-Amz-Date", date_time});
    if (has_token) removeHeader(&out.headers, "x-amz-security-token");
    if (sign_token) out.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
    if (params.add_content_sha256_header) {
      removeHeader(&out.headers, "x-amz-content-sha256");
      out.headers.push_back({"x-amz-content-sha256", payload_hash});
    }
  }

  const CanonicalHeaders headers = canonicalHeaders(out.headers);
  SigningDebug& debug = out.debug;
  debug.canonical_request = request.method + "\n" + canonicalUri(url.path, params) + "\n" +
                            canonicalQuery(query) + "\n" + headers.block + "\n" +
                            headers.signed_names + "\n" + payload_hash;
  debug.string_to_sign = std::string(kAlgorithm) + "\n" + date_time + "\n" + scope + "\n" +
                         sha256Hex(debug.canonical_request);
  HT_ASSIGN_OR_RETURN(debug.signature,
                      deriveSignature(credentials, params, date, debug.string_to_sign));

  if (presign) {
    std::string presigned = request.url.substr(0, request.url.find('#'));
    char sep = presigned.find('?') == std::string::npos ? '?' : '&';
    if (!presigned.empty() && (presigned.back() == '?' || presigned.back() == '&')) sep = '\0';
    auto add = [&](std::string_view name, std::string_view value) {
      if (sep != '\0') presigned.push_back(sep);
      sep = '&';
      presigned += uriEncode(name, false);
      presigned.push_back('=');
      presigned += uriEncode(value, false);
    };
    for (const auto& [name, value] : auth_params) add(name, value);
    add("X-Amz-Signature", debug.signature);
    if (has_token && !sign_token) add("X-Amz-Security-Token", credentials.session_token);
    out.url = std::move(presigned);
  } else {
    out.headers.push_back({"Authorization", std::string(kAlgorithm) +
                                                " Credential=" + credentials.access_key_id + "/" +
                                                scope + ", SignedHeaders=" + headers.signed_names +
                                                ", Signature=" + debug.signature});
    if (has_token && !sign_token) {
      out.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
    }
  }
  return out;
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  // EVP_Digest with SHA-256 cannot fail short of memory exhaustion; a failure is a broken build.
  HT_CHECK(EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr) == 1 &&
           len == d.size());
  return toHex(d.data(), d.size());
}

Result<SigningDebug> computeSignature(const net::HttpRequest& request, const Credentials& credentials,
                                      const SigningParams& params, bool presign,
                                      std::chrono::seconds expires) {
  HT_ASSIGN_OR_RETURN(Signed s, sign(request, credentials, params, presign, expires));
  return std::move(s.debug);
}

Status signRequest(net::HttpRequest* request, const Credentials& credentials,
                   const SigningParams& params) {
  HT_CHECK(request != nullptr);
  HT_ASSIGN_OR_RETURN(Signed s,
                      sign(*request, credentials, params, false, std::chrono::seconds(0)));
  request->headers = std::move(s.headers);
  return Status::ok();
}

Result<std::string> presignUrl(const net::HttpRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires) {
  HT_ASSIGN_OR_RETURN(Signed s, sign(request, credentials, params, true, expires));
  return std::move(s.url);
}

}  // namespace ht::aws
