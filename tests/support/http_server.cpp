#include "support/http_server.h"

#include "aws/xml.h"
#include "core/strings.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ht::test {
namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

const std::string* findHeader(const ScriptedHttpServer::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (equalsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

// Appends what the socket has to buf; false on EOF or error.
bool readMore(int fd, std::string* buf) {
  char chunk[16384];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf->append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Makes buf hold at least n bytes; false when the peer closes first.
bool fill(int fd, std::string* buf, size_t n) {
  while (buf->size() < n) {
    if (!readMore(fd, buf)) return false;
  }
  return true;
}

// Reads a line ending in CRLF from buf (reading more as needed), consuming it.
bool takeLine(int fd, std::string* buf, std::string* line) {
  size_t eol;
  while ((eol = buf->find("\r\n")) == std::string::npos) {
    if (buf->size() > kMaxHeaderBytes || !readMore(fd, buf)) return false;
  }
  *line = buf->substr(0, eol);
  buf->erase(0, eol + 2);
  return true;
}

// Decodes a chunked body (extensions and trailers ignored) from buf, consuming it.
bool takeChunkedBody(int fd, std::string* buf, std::string* body) {
  for (;;) {
    std::string line;
    if (!takeLine(fd, buf, &line)) return false;
    size_t size = std::strtoul(line.c_str(), nullptr, 16);
    if (size == 0) {
      // Trailers, then the empty line.
      do {
        if (!takeLine(fd, buf, &line)) return false;
      } while (!line.empty());
      return true;
    }
    if (!fill(fd, buf, size + 2)) return false;
    body->append(*buf, 0, size);
    buf->erase(0, size + 2);
  }
}

}  // namespace

const std::string* ScriptedHttpServer::Request::header(std::string_view name) const {
  return findHeader(headers, name);
}

std::string ScriptedHttpServer::Request::path() const { return target.substr(0, target.find('?')); }

std::string ScriptedHttpServer::Request::query() const {
  size_t q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

std::vector<std::pair<std::string, std::string>> ScriptedHttpServer::Request::form() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& part : split(body, '&')) {
    size_t eq = part.find('=');
    out.emplace_back(aws::xml::percentDecode(part.substr(0, eq)),
                     eq == std::string::npos ? "" : aws::xml::percentDecode(part.substr(eq + 1)));
  }
  return out;
}

ScriptedHttpServer::ScriptedHttpServer() : ScriptedHttpServer(Handler()) {}

ScriptedHttpServer::ScriptedHttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "ScriptedHttpServer: cannot listen on 127.0.0.1: %s\n",
                 std::strerror(errno));
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stopping_ = true;
  // shutdown() wakes a thread blocked in accept() or recv() on Linux; close() alone does not.
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  stopped_cv_.notify_all();
  for (std::thread& t : workers) t.join();
}

std::string ScriptedHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void ScriptedHttpServer::enqueue(Response response) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(response));
}

void ScriptedHttpServer::setHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<ScriptedHttpServer::Request> ScriptedHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t ScriptedHttpServer::requestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

void ScriptedHttpServer::clearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

void ScriptedHttpServer::acceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down (or broken): stop accepting
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serveConnection(fd); });
  }
}

ScriptedHttpServer::Response ScriptedHttpServer::nextResponse(const Request& request) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!queue_.empty()) {
      Response r = std::move(queue_.front());
      queue_.pop_front();
      return r;
    }
    handler = handler_;
  }
  // Outside the lock: a handler may look at requests() itself.
  if (handler) return handler(request);
  return Response{500, {{"Content-Type", "text/plain"}}, "no scripted response", false, false};
}

void ScriptedHttpServer::serveConnection(int fd) {
  std::string buf;
  for (bool keep_alive = true; keep_alive && !stopping_;) {
    Request req;
    std::string line;
    if (!takeLine(fd, &buf, &line)) break;
    if (line.empty()) continue;  // a stray CRLF between requests is allowed
    size_t sp1 = line.find(' ');
    size_t sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) {
      writeAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    }
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string version = line.substr(sp2 + 1);
    bool headers_ok = true;
    for (;;) {
      if (!takeLine(fd, &buf, &line)) {
        headers_ok = false;
        break;
      }
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      req.headers.emplace_back(trimmed(line.substr(0, colon)), trimmed(line.substr(colon + 1)));
    }
    if (!headers_ok) break;

    const std::string* expect = req.header("Expect");
    if (expect != nullptr && equalsIgnoreCase(*expect, "100-continue")) {
      writeAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    const std::string* te = req.header("Transfer-Encoding");
    if (te != nullptr && equalsIgnoreCase(*te, "chunked")) {
      if (!takeChunkedBody(fd, &buf, &req.body)) break;
    } else if (const std::string* cl = req.header("Content-Length")) {
      size_t n = std::strtoul(cl->c_str(), nullptr, 10);
      if (!fill(fd, &buf, n)) break;
      req.body = buf.substr(0, n);
      buf.erase(0, n);
    }
    const std::string* conn = req.header("Connection");
    keep_alive = version == "HTTP/1.1" && !(conn != nullptr && equalsIgnoreCase(*conn, "close"));

    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    Response resp = nextResponse(req);
    if (resp.drop) break;
    if (resp.hang) {
      // Silent until the client closes the connection or the server stops.
      while (!stopping_) {
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, 50);
        if (n > 0) {
          char c;
          if (::recv(fd, &c, 1, MSG_PEEK) <= 0) break;
          std::unique_lock<std::mutex> lock(mu_);
          stopped_cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
      }
      break;
    }

    const std::string* resp_conn = findHeader(resp.headers, "Connection");
    if (resp_conn != nullptr && equalsIgnoreCase(*resp_conn, "close")) keep_alive = false;
    std::string out =
        "HTTP/1.1 " + std::to_string(resp.status) + " " + reasonPhrase(resp.status) + "\r\n";
    for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
    if (findHeader(resp.headers, "Content-Length") == nullptr &&
        findHeader(resp.headers, "Transfer-Encoding") == nullptr) {
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
    }
    if (!keep_alive && resp_conn == nullptr) out += "Connection: close\r\n";
    out += "\r\n";
    if (req.method != "HEAD") out += resp.body;
    if (!writeAll(fd, out)) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
}

}  // namespace ht::test
