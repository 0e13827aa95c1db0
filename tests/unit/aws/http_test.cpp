// The libcurl transport against a real socket on 127.0.0.1 (support/http_server.h).
#include "aws/http.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "support/http_server.h"

namespace ht::aws {
namespace {

using test::ScriptedHttpServer;

HttpOptions fastOptions() {
  HttpOptions o;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 5000;
  return o;
}

TEST(HttpResponseTest, HeaderLookupIgnoresCase) {
  HttpResponse r;
  r.headers = {{"Content-Type", "text/xml"}, {"x-amz-request-id", "abc"}};
  ASSERT_NE(r.header("content-type"), nullptr);
  EXPECT_EQ(*r.header("content-type"), "text/xml");
  EXPECT_EQ(*r.header("X-AMZ-REQUEST-ID"), "abc");
  EXPECT_EQ(r.header("Content-Length"), nullptr);
  EXPECT_EQ(r.header("Content-Typ"), nullptr);
}

TEST(CurlTransportTest, GetReturnsStatusHeadersAndBody) {
  ScriptedHttpServer server;
  server.enqueue({200, {{"Content-Type", "text/xml"}, {"X-Amzn-RequestId", "req-1"}}, "<ok/>"});
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.url = server.url() + "/path/x?a=1&b=two";
  req.headers = {{"X-Custom", "value"}};
  auto res = transport->send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "<ok/>");
  ASSERT_NE(res->header("x-amzn-requestid"), nullptr);
  EXPECT_EQ(*res->header("x-amzn-requestid"), "req-1");

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/path/x?a=1&b=two");
  EXPECT_EQ(seen[0].path(), "/path/x");
  EXPECT_EQ(seen[0].query(), "a=1&b=two");
  ASSERT_NE(seen[0].header("x-custom"), nullptr);
  EXPECT_EQ(*seen[0].header("x-custom"), "value");
  EXPECT_TRUE(seen[0].body.empty());
}

// A pinned name connects to the pinned address without any lookup: ".invalid" never resolves,
// so reaching the server proves the pin, and the Host header still names the original host.
TEST(CurlTransportTest, ResolvePinsANameToTheCheckedAddress) {
  ScriptedHttpServer server;
  server.enqueue({200, {}, "pinned"});
  auto transport = makeCurlTransport(fastOptions());
  const std::string port = std::to_string(server.port());
  HttpRequest req;
  req.url = "http://hooks.pinned.invalid:" + port + "/x";
  req.resolve = {"hooks.pinned.invalid:" + port + ":127.0.0.1"};
  auto res = transport->send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->body, "pinned");
  ASSERT_EQ(server.requestCount(), 1u);
  EXPECT_EQ(*server.requests()[0].header("Host"), "hooks.pinned.invalid:" + port);

  // The pin does not outlive its request: the same transport without it cannot resolve the name.
  HttpRequest unpinned;
  unpinned.url = req.url;
  auto lookup = makeCurlTransport(fastOptions())->send(unpinned);
  EXPECT_FALSE(lookup.hasValue());
}

TEST(CurlTransportTest, PostSendsBodyWithoutHeadersOfCurlsOwn) {
  ScriptedHttpServer server;
  server.enqueue({200, {}, "done"});
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.method = "POST";
  req.url = server.url() + "/";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  req.body = "Action=GetUser&Version=2010-05-08&" + std::string(3000, 'x');
  auto res = transport->send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, req.body);
  EXPECT_EQ(*seen[0].header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(*seen[0].header("Content-Length"), std::to_string(req.body.size()));
  EXPECT_EQ(seen[0].header("Expect"), nullptr);  // no 100-continue round trip
}

TEST(CurlTransportTest, PutDeleteAndHead) {
  ScriptedHttpServer server;
  server.enqueue({200, {}, ""});
  server.enqueue({204, {}, ""});
  server.enqueue({200, {{"Content-Length", "42"}, {"ETag", "\"e\""}}, ""});
  auto transport = makeCurlTransport(fastOptions());

  HttpRequest put;
  put.method = "PUT";
  put.url = server.url() + "/bucket/key";
  put.body = "object bytes";
  auto r1 = transport->send(put);
  ASSERT_TRUE(r1) << r1.status().toString();
  EXPECT_EQ(r1->status, 200);

  HttpRequest del;
  del.method = "DELETE";
  del.url = server.url() + "/bucket/key";
  auto r2 = transport->send(del);
  ASSERT_TRUE(r2) << r2.status().toString();
  EXPECT_EQ(r2->status, 204);

  HttpRequest head;
  head.method = "HEAD";
  head.url = server.url() + "/bucket/key";
  auto r3 = transport->send(head);
  ASSERT_TRUE(r3) << r3.status().toString();
  EXPECT_EQ(r3->status, 200);
  EXPECT_EQ(*r3->header("etag"), "\"e\"");
  EXPECT_TRUE(r3->body.empty());

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].body, "object bytes");
  // A PUT without a Content-Type must not become a form upload in S3.
  EXPECT_EQ(seen[0].header("Content-Type"), nullptr);
  EXPECT_EQ(seen[1].method, "DELETE");
  EXPECT_TRUE(seen[1].body.empty());
  EXPECT_EQ(seen[2].method, "HEAD");
}

TEST(CurlTransportTest, ErrorStatusesAreExchangesNotErrors) {
  ScriptedHttpServer server;
  server.enqueue({503, {{"Retry-After", "2"}}, "<Error><Code>ServiceUnavailable</Code></Error>"});
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.url = server.url() + "/";
  auto res = transport->send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(*res->header("retry-after"), "2");
  EXPECT_NE(res->body.find("ServiceUnavailable"), std::string::npos);
}

TEST(CurlTransportTest, HandlerAnswersAndConnectionsAreReused) {
  ScriptedHttpServer server([](const ScriptedHttpServer::Request& r) {
    return ScriptedHttpServer::Response{200, {}, "echo " + r.path()};
  });
  auto transport = makeCurlTransport(fastOptions());
  for (int i = 0; i < 20; ++i) {
    HttpRequest req;
    req.url = server.url() + "/n" + std::to_string(i);
    auto res = transport->send(req);
    ASSERT_TRUE(res) << res.status().toString();
    EXPECT_EQ(res->body, "echo /n" + std::to_string(i));
  }
  EXPECT_EQ(server.requestCount(), 20u);
}

TEST(CurlTransportTest, ConcurrentSendsFromThreads) {
  ScriptedHttpServer server([](const ScriptedHttpServer::Request& r) {
    return ScriptedHttpServer::Response{200, {}, r.path()};
  });
  auto transport = makeCurlTransport(fastOptions());
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        HttpRequest req;
        req.url = server.url() + "/t" + std::to_string(t);
        auto res = transport->send(req);
        if (res && res->body == "/t" + std::to_string(t)) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 10) << t;
  EXPECT_EQ(server.requestCount(), 40u);
}

TEST(CurlTransportTest, TimeoutIsIoErrorNamingHostButNotQueryOrHeaders) {
  ScriptedHttpServer server;
  ScriptedHttpServer::Response hang;
  hang.hang = true;
  server.enqueue(hang);
  HttpOptions o = fastOptions();
  o.request_timeout_ms = 300;
  auto transport = makeCurlTransport(o);
  HttpRequest req;
  req.url = server.url() + "/x?X-Amz-Signature=deadbeefsig";
  req.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/secretish"}};
  auto start = std::chrono::steady_clock::now();
  auto res = transport->send(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  const std::string& msg = res.status().message();
  EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos) << msg;
  EXPECT_NE(msg.find("imed out"), std::string::npos) << msg;  // curl: "Operation timed out ..."
  EXPECT_EQ(msg.find("deadbeefsig"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("AKIAEXAMPLE"), std::string::npos) << msg;
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_EQ(server.requestCount(), 1u);
}

TEST(CurlTransportTest, ConnectionRefusedIsIoError) {
  int port;
  {
    ScriptedHttpServer gone;
    port = gone.port();
  }
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto res = transport->send(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  EXPECT_NE(res.status().message().find("127.0.0.1"), std::string::npos) << res.status().message();
}

TEST(CurlTransportTest, DroppedConnectionIsIoError) {
  ScriptedHttpServer server;
  ScriptedHttpServer::Response drop;
  drop.drop = true;
  server.enqueue(drop);
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.url = server.url() + "/";
  auto res = transport->send(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
}

TEST(CurlTransportTest, ResponseOverTheCapIsAbortedWithTheUrlWithoutQuery) {
  ScriptedHttpServer server;
  server.enqueue({200, {}, std::string(100000, 'a')});
  server.enqueue({200, {}, std::string(1000, 'b')});
  HttpOptions o = fastOptions();
  o.max_response_bytes = 4096;
  auto transport = makeCurlTransport(o);
  HttpRequest req;
  req.url = server.url() + "/big?X-Amz-Signature=s3cr3t";
  auto res = transport->send(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  const std::string& msg = res.status().message();
  EXPECT_NE(msg.find(server.url() + "/big"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4096"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cr3t"), std::string::npos) << msg;

  // A body under the cap still arrives whole (and the aborted handle is usable again).
  auto ok = transport->send(req);
  ASSERT_TRUE(ok) << ok.status().toString();
  EXPECT_EQ(ok->body.size(), 1000u);
}

TEST(CurlTransportTest, ChunkedResponseOverTheCapIsAborted) {
  // Without a Content-Length the cap is enforced while the body streams in.
  ScriptedHttpServer server;
  std::string chunked;
  for (int i = 0; i < 10; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  server.enqueue({200, {{"Transfer-Encoding", "chunked"}}, chunked});
  HttpOptions o = fastOptions();
  o.max_response_bytes = 4096;
  auto transport = makeCurlTransport(o);
  HttpRequest req;
  req.url = server.url() + "/stream";
  auto res = transport->send(req);
  ASSERT_FALSE(res);
  EXPECT_NE(res.status().message().find("4096"), std::string::npos) << res.status().message();
}

TEST(CurlTransportTest, HeadOfALargeObjectIsNotOverTheCap) {
  // A HEAD's Content-Length describes the object, not what is transferred.
  ScriptedHttpServer server;
  server.enqueue({200, {{"Content-Length", "1000000000"}}, ""});
  HttpOptions o = fastOptions();
  o.max_response_bytes = 4096;
  auto transport = makeCurlTransport(o);
  HttpRequest req;
  req.method = "HEAD";
  req.url = server.url() + "/bucket/big-object";
  auto res = transport->send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(*res->header("Content-Length"), "1000000000");
}

TEST(CurlTransportTest, UnsupportedSchemeIsAnError) {
  auto transport = makeCurlTransport(fastOptions());
  HttpRequest req;
  req.url = "file:///etc/passwd";
  auto res = transport->send(req);
  ASSERT_FALSE(res);
}

}  // namespace
}  // namespace ht::aws
