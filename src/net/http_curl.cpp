// The libcurl transport. Idle easy handles are pooled per transport, so that consecutive calls
// reuse the connection (and TLS session) to the same endpoint; each send() still makes exactly
// one attempt. Error messages name the host and curl's reason, never headers, bodies or the
// query string (a presigned URL carries a signature there).
#include <curl/curl.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "net/http.h"
#include "core/strings.h"

namespace ht::net {

const std::string* HttpResponse::header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(h.name[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return &h.value;
  }
  return nullptr;
}

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// scheme://host[:port]/path, without query or fragment.
std::string urlForMessages(const std::string& url) {
  size_t cut = url.find_first_of("?#");
  return cut == std::string::npos ? url : url.substr(0, cut);
}

// host[:port] of an absolute URL, without any user-info.
std::string hostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

bool hasHeader(const HttpRequest& request, std::string_view name) {
  for (const HttpHeader& h : request.headers) {
    if (toLower(h.name) == toLower(name)) return true;
  }
  return false;
}

struct Transfer {
  size_t max_bytes = 0;
  bool too_large = false;
  HttpResponse response;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // anything short of n aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (startsWith(line, "HTTP/")) {
    // A new status line (after a 100 Continue, or a proxy's CONNECT reply): keep only the
    // headers of the final response.
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line that ends the headers
  t->response.headers.push_back(
      HttpHeader{trim(line.substr(0, colon)), trim(line.substr(colon + 1))});
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(HttpOptions options) : options_(std::move(options)) { globalInit(); }

  Result<HttpResponse> send(const HttpRequest& request) override {
    Easy easy = acquire();
    if (!easy) return Status::internal("libcurl: cannot create a transfer handle");
    Result<HttpResponse> result = perform(easy.get(), request);
    release(std::move(easy));
    return result;
  }

 private:
  static constexpr size_t kMaxIdleHandles = 4;

  Easy acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        Easy easy = std::move(idle_.back());
        idle_.pop_back();
        return easy;
      }
    }
    return Easy(curl_easy_init());
  }

  void release(Easy easy) {
    // Drops every option (the error buffer and header list they point to are gone) but keeps
    // the connection cache.
    curl_easy_reset(easy.get());
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(easy));
  }

  Result<HttpResponse> perform(CURL* easy, const HttpRequest& request) {
    Transfer transfer;
    transfer.max_bytes = options_.max_response_bytes;
    char error_text[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // timeouts must not raise SIGALRM in threads
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
    // A signed request must not be replayed elsewhere; AWS answers redirects with an error body.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    // Not for HEAD, whose Content-Length describes an object that is not sent.
    if (request.method != "HEAD" && options_.max_response_bytes <= static_cast<size_t>(INT64_MAX)) {
      // Refuses early when the server announces a larger body; onBody catches the rest.
      curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(options_.max_response_bytes));
    }

    const std::string& method = request.method;
    if (method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && request.body.empty()) {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      // POSTFIELDS sends the body with a Content-Length for any method; CUSTOMREQUEST renames it.
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    Slist headers;
    auto add = [&headers](const std::string& line) {
      curl_slist* head = curl_slist_append(headers.get(), line.c_str());
      if (head == nullptr) return false;
      if (!headers) headers.reset(head);  // the head stays the same after the first append
      return true;
    };
    bool ok = true;
    for (const HttpHeader& h : request.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      ok = ok && add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
    }
    // curl would otherwise add headers of its own that change what S3 stores (a form
    // Content-Type) or cost a round trip (Expect: 100-continue).
    if (!hasHeader(request, "Content-Type")) ok = ok && add("Content-Type:");
    if (!hasHeader(request, "Expect")) ok = ok && add("Expect:");
    if (!ok) return Status::internal("libcurl: out of memory building request headers");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());

    Slist pins;
    for (const std::string& pin : request.resolve) {
      curl_slist* head = curl_slist_append(pins.get(), pin.c_str());
      if (head == nullptr) return Status::internal("libcurl: out of memory building pins");
      if (!pins) pins.reset(head);
    }
    if (pins) curl_easy_setopt(easy, CURLOPT_RESOLVE, pins.get());
    CURLcode rc = curl_easy_perform(easy);
    if (pins) curl_easy_setopt(easy, CURLOPT_RESOLVE, nullptr);
    if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return Status::ioError(request.method + " " + urlForMessages(request.url) +
                             ": response larger than " +
                             std::to_string(options_.max_response_bytes) + " bytes; aborted");
    }
    if (rc != CURLE_OK) {
      std::string reason = error_text[0] != '\0' ? trim(error_text) : curl_easy_strerror(rc);
      return Status::ioError("HTTP " + request.method + " to " + hostOf(request.url) +
                             " failed: " + reason);
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

  HttpOptions options_;
  std::mutex mu_;
  std::vector<Easy> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> makeCurlTransport(const HttpOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace ht::net
