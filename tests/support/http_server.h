// ScriptedHttpServer: a plain HTTP/1.1 server on 127.0.0.1 (port 0, so tests never collide) that
// answers from a script and records every request, for testing HTTP clients against real sockets
// without the network. It does not check signatures.
//
//   ScriptedHttpServer server;
//   server.enqueue({503, {}, "busy"});
//   server.enqueue({200, {{"Content-Type", "text/xml"}}, "<ok/>"});
//   ... point the client at server.url() ...
//   EXPECT_EQ(server.requests().size(), 2u);
//
// Queued responses are used first, in order; when the queue is empty the handler (if any)
// answers; otherwise the reply is 500 "no scripted response". Each connection gets its own
// thread and is kept alive as HTTP/1.1 clients expect; the destructor closes everything.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ht::test {

class ScriptedHttpServer {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  struct Request {
    std::string method;
    std::string target;  // as sent: "/path?query"
    Headers headers;     // names as sent
    std::string body;
    // Case-insensitive; nullptr when absent.
    const std::string* header(std::string_view name) const;
    std::string path() const;   // target up to '?'
    std::string query() const;  // after '?', "" when none
    // A form-encoded body (AWS Query protocol) as decoded (name, value) pairs, in the order sent.
    std::vector<std::pair<std::string, std::string>> form() const;
  };

  struct Response {
    int status = 200;
    // Content-Length is added unless set here; with Transfer-Encoding the body is sent as given.
    Headers headers;
    std::string body;
    // Instead of answering: keep the connection open and silent until the client gives up
    // (for timeout tests), or close it at once without a reply (a dropped connection).
    bool hang = false;
    bool drop = false;
  };

  using Handler = std::function<Response(const Request&)>;

  // Listens before returning; a failure to bind stops the test binary (it is an environment bug).
  ScriptedHttpServer();
  explicit ScriptedHttpServer(Handler handler);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT", no trailing slash

  void enqueue(Response response);
  void setHandler(Handler handler);

  // Every request received so far, in arrival order (hung and dropped ones included).
  std::vector<Request> requests() const;
  size_t requestCount() const;
  void clearRequests();

 private:
  void acceptLoop();
  void serveConnection(int fd);
  Response nextResponse(const Request& request);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable stopped_cv_;
  std::deque<Response> queue_;
  Handler handler_;
  std::vector<Request> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace ht::test
