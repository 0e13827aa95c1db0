#include "live/sns.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "core/files.h"
#include "core/log.h"
#include "ingest/base64.h"

namespace ht::live {
namespace {

// A signing certificate is a couple of kilobytes; anything much larger is not one, and a fetch
// that returns it should not end up in the cache.
constexpr size_t kMaxCertificateBytes = 64 * 1024;

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// OpenSSL reports failures on a per-thread queue; leaving entries there would make a later,
// unrelated OpenSSL caller on this thread (the TLS client) misattribute them.
X509Ptr loadCertificate(const std::string& pem) {
  if (pem.size() > kMaxCertificateBytes) return nullptr;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

// Reads an optional string member under either spelling; null counts as absent because the
// Lambda event shape writes "Subject": null rather than leaving the key out.
Status optionalString(const nlohmann::json& obj, std::initializer_list<const char*> names,
                      std::string* out, bool* present) {
  *present = false;
  for (const char* name : names) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) continue;
    if (!it->is_string()) return Status::invalidArgument(std::string(name) + " is not a string");
    *out = it->get<std::string>();
    *present = true;
    return Status::ok();
  }
  return Status::ok();
}

Status requiredString(const nlohmann::json& obj, std::initializer_list<const char*> names,
                      std::string* out) {
  bool present = false;
  HT_RETURN_IF_ERROR(optionalString(obj, names, out, &present));
  if (!present) return Status::invalidArgument(std::string(*names.begin()) + " is missing");
  return Status::ok();
}

bool isConfirmation(const std::string& type) {
  return type == "SubscriptionConfirmation" || type == "UnsubscribeConfirmation";
}

void appendPair(std::string* out, std::string_view key, std::string_view value) {
  out->append(key);
  out->push_back('\n');
  out->append(value);
  out->push_back('\n');
}

struct UrlParts {
  std::string_view scheme;     // "https" or "http"
  std::string_view authority;  // host[:port]
  std::string_view host;
  std::string_view port;  // "" when absent
  std::string_view path;  // from the first '/', without query or fragment
  bool has_query_or_fragment = false;
};

// A deliberately small parser: the URLs it accepts are plain "scheme://host[:port]/path[?query]",
// and everything unusual (userinfo, backslashes, spaces, brackets) is refused by the caller
// rather than interpreted, because fetchers and browsers disagree on how to interpret it.
std::optional<UrlParts> splitUrl(std::string_view url) {
  UrlParts p;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  p.scheme = url.substr(0, sep);
  std::string_view rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  p.authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  size_t q = tail.find_first_of("?#");
  p.path = tail.substr(0, q);
  p.has_query_or_fragment = q != std::string_view::npos;
  size_t colon = p.authority.rfind(':');
  if (colon == std::string_view::npos) {
    p.host = p.authority;
  } else {
    p.host = p.authority.substr(0, colon);
    p.port = p.authority.substr(colon + 1);
  }
  return p;
}

bool isLowerAlnumOrDash(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// ^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$ without pulling in std::regex.
bool isSnsHost(std::string_view host) {
  constexpr std::string_view kPrefix = "sns.";
  constexpr std::string_view kCom = ".amazonaws.com";
  constexpr std::string_view kCn = ".amazonaws.com.cn";
  if (!host.starts_with(kPrefix)) return false;
  std::string_view region = host.substr(kPrefix.size());
  if (region.ends_with(kCn)) {
    region.remove_suffix(kCn.size());
  } else if (region.ends_with(kCom)) {
    region.remove_suffix(kCom.size());
  } else {
    return false;
  }
  return !region.empty() && std::all_of(region.begin(), region.end(), isLowerAlnumOrDash);
}

bool isExtraHost(std::string_view authority, const std::vector<std::string>& extra) {
  return std::find(extra.begin(), extra.end(), authority) != extra.end();
}

std::string openSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

// "" when the certificate is usable at `now` for `host`, else why not.
std::string checkCertificate(X509* cert, TimePoint now, std::string_view host, bool any_subject) {
  time_t t = static_cast<time_t>(toUnixSeconds(now));
  // X509_cmp_time: -1 when the certificate time is at or before t, 1 when after, 0 on error.
  if (X509_cmp_time(X509_get0_notBefore(cert), &t) != -1) {
    return "certificate is not yet valid (or has an unreadable notBefore)";
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &t) != 1) {
    return "certificate has expired (or has an unreadable notAfter)";
  }
  if (any_subject) return "";
  // Subject CN as well as SAN DNS names, and no wildcards: SNS certificates name the service
  // exactly, and a wildcard for some other amazonaws.com service should not sign SNS messages.
  const unsigned int flags = X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS;
  for (std::string_view name : {std::string_view("sns.amazonaws.com"), host}) {
    if (X509_check_host(cert, name.data(), name.size(), flags, nullptr) == 1) return "";
  }
  ERR_clear_error();
  return "certificate is not issued to sns.amazonaws.com or " + std::string(host);
}

// "" when signature verifies over data with the certificate's RSA key.
std::string verifySignature(X509* cert, const std::string& version, const std::string& data,
                            const std::string& signature) {
  const EVP_MD* md = version == "1" ? EVP_sha1() : EVP_sha256();
  EVP_PKEY* key = X509_get0_pubkey(cert);  // owned by cert
  if (key == nullptr) return "certificate has no readable public key: " + openSslError();
  // SNS signs with RSA (SHA1withRSA / SHA256withRSA); any other key type means a certificate
  // that was never an SNS signing certificate.
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return "certificate key is not RSA";
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return "out of memory";
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    return "cannot initialise verification: " + openSslError();
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  ERR_clear_error();
  if (rc != 1) return "signature does not verify";
  return "";
}

}  // namespace

Result<SnsMessage> parseSnsMessage(std::string_view body) {
  // Parsed without exceptions and without the parser's message, which quotes the input: a
  // reason must never carry (part of) the body into logs.
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::corruption("body is not valid JSON");
  if (!doc.is_object()) return Status::invalidArgument("body is not a JSON object");

  SnsMessage m;
  HT_RETURN_IF_ERROR(requiredString(doc, {"Type"}, &m.type));
  if (m.type != "Notification" && !isConfirmation(m.type)) {
    return Status::invalidArgument(
        "Type is not Notification, SubscriptionConfirmation or "
        "UnsubscribeConfirmation");
  }
  HT_RETURN_IF_ERROR(requiredString(doc, {"MessageId"}, &m.message_id));
  HT_RETURN_IF_ERROR(requiredString(doc, {"TopicArn"}, &m.topic_arn));
  HT_RETURN_IF_ERROR(requiredString(doc, {"Message"}, &m.message));
  HT_RETURN_IF_ERROR(requiredString(doc, {"Timestamp"}, &m.timestamp));
  HT_RETURN_IF_ERROR(requiredString(doc, {"SignatureVersion"}, &m.signature_version));
  HT_RETURN_IF_ERROR(requiredString(doc, {"Signature"}, &m.signature));
  HT_RETURN_IF_ERROR(
      requiredString(doc, {"SigningCertURL", "SigningCertUrl"}, &m.signing_cert_url));
  if (isConfirmation(m.type)) {
    HT_RETURN_IF_ERROR(requiredString(doc, {"Token"}, &m.token));
    HT_RETURN_IF_ERROR(requiredString(doc, {"SubscribeURL", "SubscribeUrl"}, &m.subscribe_url));
  } else {
    HT_RETURN_IF_ERROR(optionalString(doc, {"Subject"}, &m.subject, &m.has_subject));
  }
  bool has_unsubscribe = false;
  HT_RETURN_IF_ERROR(optionalString(doc, {"UnsubscribeURL", "UnsubscribeUrl"}, &m.unsubscribe_url,
                                    &has_unsubscribe));
  return m;
}

std::string snsStringToSign(const SnsMessage& m) {
  std::string out;
  out.reserve(m.message.size() + m.message_id.size() + m.subject.size() + m.timestamp.size() +
              m.topic_arn.size() + m.type.size() + m.token.size() + m.subscribe_url.size() + 96);
  appendPair(&out, "Message", m.message);
  appendPair(&out, "MessageId", m.message_id);
  if (isConfirmation(m.type)) {
    appendPair(&out, "SubscribeURL", m.subscribe_url);
    appendPair(&out, "Timestamp", m.timestamp);
    appendPair(&out, "Token", m.token);
  } else {
    if (m.has_subject) appendPair(&out, "Subject", m.subject);
    appendPair(&out, "Timestamp", m.timestamp);
  }
  appendPair(&out, "TopicArn", m.topic_arn);
  appendPair(&out, "Type", m.type);
  return out;
}

std::string checkSnsUrl(std::string_view url, bool is_certificate,
                        const std::vector<std::string>& allowed_hosts_extra) {
  if (url.empty()) return "URL is empty";
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return "URL contains whitespace, control or non-ASCII bytes";
    if (c == '\\') return "URL contains a backslash";
  }
  auto parts = splitUrl(url);
  if (!parts) return "URL has no scheme";
  if (parts->scheme != "https" && parts->scheme != "http") return "URL scheme is not https";
  if (parts->authority.find('@') != std::string_view::npos) return "URL has userinfo";
  if (parts->authority.empty()) return "URL has no host";

  bool extra = isExtraHost(parts->authority, allowed_hosts_extra);
  if (!extra) {
    if (parts->scheme != "https") return "URL scheme is not https";
    if (!isSnsHost(parts->host)) return "URL host is not sns.<region>.amazonaws.com";
    if (parts->authority.find(':') != std::string_view::npos && parts->port != "443") {
      return "URL port is not 443";
    }
  }
  if (!parts->path.starts_with('/')) return "URL has no path";
  if (is_certificate) {
    if (parts->has_query_or_fragment) return "certificate URL has a query or fragment";
    if (!parts->path.ends_with(".pem")) return "certificate URL does not end in .pem";
  }
  return "";
}

std::string snsEndpointHost(std::string_view endpoint) {
  if (auto parts = splitUrl(endpoint)) return std::string(parts->authority);
  return std::string(endpoint.substr(0, endpoint.find_first_of("/?#")));
}

std::string snsCertCacheName(std::string_view url) {
  std::string_view host;
  std::string_view path;
  if (auto parts = splitUrl(url)) {
    host = parts->host;
    size_t at = host.rfind('@');
    if (at != std::string_view::npos) host.remove_prefix(at + 1);
    path = parts->path;
  } else {
    path = url;
  }
  size_t slash = path.rfind('/');
  std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string name;
  name.reserve(host.size() + 1 + file.size());
  name.append(host);
  name.push_back('_');
  name.append(file);
  for (char& c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return name;
}

SnsVerifier::SnsVerifier(SnsVerifierOptions options, SnsFetcher fetcher)
    : options_(std::move(options)), fetcher_(std::move(fetcher)) {}

uint64_t SnsVerifier::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

Result<std::string> SnsVerifier::certificatePem(const std::string& url) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = memory_cache_.find(url);
    if (it != memory_cache_.end()) return it->second;
  }

  std::string path;
  if (!options_.cert_dir.empty()) {
    path = options_.cert_dir + "/" + snsCertCacheName(url);
    auto cached = readFile(path);
    if (cached.hasValue()) {
      // A damaged cache file is refetched rather than trusted or left to fail every message.
      if (loadCertificate(*cached)) {
        std::lock_guard<std::mutex> lock(mu_);
        return memory_cache_.emplace(url, std::move(cached).value()).first->second;
      }
      log::warn("SNS certificate cache file is not a certificate", {{"path", path}});
    } else if (cached.status().code() != StatusCode::kNotFound) {
      return cached.status();
    }
  }

  if (!options_.fetch_certs) {
    return Status::notFound("certificate " + url + " is not cached and fetching is disabled");
  }
  if (!fetcher_) return Status::failedPrecondition("no certificate fetcher configured");

  // The fetch runs without the lock so that a slow SNS endpoint does not stall messages whose
  // certificate is already cached; two threads may then fetch the same URL once each, which is
  // harmless (both results are the same certificate, and the cache write is atomic).
  Result<std::string> fetched = fetcher_(url);
  if (!fetched.hasValue()) return fetched.status().withContext("fetching " + url);
  if (!loadCertificate(*fetched)) {
    return Status::corruption("fetched " + url + " is not a PEM certificate");
  }

  std::string pem;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++fetches_;
    pem = memory_cache_.emplace(url, std::move(fetched).value()).first->second;
  }
  if (!path.empty()) {
    // Failing to persist only costs a refetch after a restart, so the message still goes on.
    Status st = ensurePrivateDir(options_.cert_dir, 0700);
    if (st.isOk()) st = writeFileAtomic(path, pem, 0644);
    if (!st.isOk()) {
      log::warn("cannot cache SNS certificate", {{"path", path}, {"error", st.toString()}});
    }
  }
  return pem;
}

SnsVerification SnsVerifier::verify(std::string_view body) {
  auto parsed = parseSnsMessage(body);
  if (!parsed.hasValue()) {
    SnsVerification bad;
    bad.reason = parsed.status().message();
    return bad;
  }
  SnsMessage m = std::move(parsed).value();
  // The reason is built (from fields of m) before m is moved into the result.
  auto reject = [&m](SnsVerdict verdict, std::string reason) {
    SnsVerification v;
    v.verdict = verdict;
    v.reason = std::move(reason);
    v.message = std::move(m);
    return v;
  };

  const auto& topics = options_.topic_arns;
  if (std::find(topics.begin(), topics.end(), m.topic_arn) == topics.end()) {
    return reject(SnsVerdict::kForbiddenTopic, "topic not configured: " + m.topic_arn);
  }

  // Everything that can be decided from the message alone is decided before any fetch, so that
  // junk never costs a network round trip.
  if (m.signature_version != "1" && m.signature_version != "2") {
    return reject(SnsVerdict::kBadSignature, "unsupported SignatureVersion");
  }
  std::string why = checkSnsUrl(m.signing_cert_url, true, options_.allowed_hosts_extra);
  if (!why.empty()) {
    return reject(SnsVerdict::kBadSignature, "SigningCertURL rejected: " + why);
  }
  if (isConfirmation(m.type)) {
    // Whoever confirms the subscription will GET this URL, so it gets the same scrutiny.
    why = checkSnsUrl(m.subscribe_url, false, options_.allowed_hosts_extra);
    if (!why.empty()) {
      return reject(SnsVerdict::kBadSignature, "SubscribeURL rejected: " + why);
    }
  }
  std::optional<std::string> signature = ingest::decodeBase64(m.signature);
  if (!signature || signature->empty()) {
    return reject(SnsVerdict::kBadSignature, "Signature is not base64");
  }

  auto pem = certificatePem(m.signing_cert_url);
  if (!pem.hasValue()) {
    return reject(SnsVerdict::kBadSignature, "certificate unavailable: " + pem.status().toString());
  }
  X509Ptr cert = loadCertificate(*pem);
  if (!cert) {
    return reject(SnsVerdict::kBadSignature, "certificate is not a PEM certificate");
  }

  auto parts = splitUrl(m.signing_cert_url);  // cannot fail: checkSnsUrl passed
  bool any_subject = isExtraHost(parts->authority, options_.allowed_hosts_extra);
  const Clock& clock = options_.clock ? *options_.clock : SystemClock::instance();
  why = checkCertificate(cert.get(), clock.now(), parts->host, any_subject);
  if (!why.empty()) return reject(SnsVerdict::kBadSignature, why);

  why = verifySignature(cert.get(), m.signature_version, snsStringToSign(m), *signature);
  if (!why.empty()) return reject(SnsVerdict::kBadSignature, why);

  SnsVerification ok;
  ok.verdict = SnsVerdict::kAccepted;
  ok.message = std::move(m);
  return ok;
}

}  // namespace ht::live
