// One HTTP exchange, and the transport seam that sends it. The transport makes exactly one
// attempt; signing and retries live with the caller (AwsClient in aws/aws_client.h, the alert dispatcher), because every retry of a
// SigV4 request must be signed again.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ht::net {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: scheme://host[:port]/path?query (query already encoded)
  std::vector<HttpHeader> headers;
  std::string body;
  // Pins a name to addresses already checked ("host:port:addr[,addr]", IPv6 in brackets), so
  // that the connection goes where a check said it may, not where a second lookup points.
  std::vector<std::string> resolve;
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;  // names as received
  std::string body;
  // Case-insensitive header lookup; nullptr when absent.
  const std::string* header(std::string_view name) const;
};

struct HttpOptions {
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 60000;
  bool verify_tls = true;  // never turned off by honeytrail itself; tests use plain http
  std::string ca_file;     // "" = system bundle
  size_t max_response_bytes = 512u << 20;  // a larger body is an error, not an OOM
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Transport failures (DNS, connect, timeout, TLS) are IoError naming the host; any HTTP status,
  // 5xx included, is a successful exchange.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// libcurl; honours http_proxy/https_proxy/no_proxy as curl does.
std::unique_ptr<HttpTransport> makeCurlTransport(const HttpOptions& options);

}  // namespace ht::net
