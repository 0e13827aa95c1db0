#include "live/push_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/strings.h"
#include "ingest/base64.h"
#include "live/notifications.h"

namespace ht::live {

Result<PushCredentials> readPushCredentials(const config::PushSourceOptions& options,
                                            const config::EnvLookup& env) {
  auto value = [&](const std::string& name) -> std::optional<std::string> {
    if (name.empty() || !env) return std::nullopt;
    std::optional<std::string> v = env(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  PushCredentials c;
  c.api_key_header = options.eventbridge_api_key_header;
  if (!options.eventbridge_api_key_env.empty()) {
    std::optional<std::string> key = value(options.eventbridge_api_key_env);
    if (!key) {
      return Status::invalidArgument("sources.push.eventbridge_api_key_env names $" +
                                     options.eventbridge_api_key_env + ", which is not set");
    }
    c.api_key = std::move(*key);
  }
  c.basic_user = options.eventbridge_basic_user;
  if (!c.basic_user.empty()) {
    // Config validation already refuses an empty variable name; a Config built in code could
    // still have one, and Basic auth must never run with an empty password.
    const std::string& name = options.eventbridge_basic_password_env;
    std::optional<std::string> password = value(name);
    if (!password) {
      return Status::invalidArgument(
          "sources.push.eventbridge_basic_user is set but the password variable (" +
          (name.empty() ? std::string("eventbridge_basic_password_env") : "$" + name) + ") is not");
    }
    c.basic_password = std::move(*password);
  }
  return c;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

PushServer::PushServer(const config::PushSourceOptions& options, PushCredentials credentials,
                       Pipeline& pipeline, ObjectReader* reader, SnsVerifier& sns,
                       HealthTracker& health, const Clock& clock, UrlGetter subscribe_getter,
                       std::vector<std::string> sns_extra_hosts)
    : options_(options),
      credentials_(std::move(credentials)),
      pipeline_(pipeline),
      reader_(reader),
      sns_(sns),
      health_(health),
      clock_(clock),
      subscribe_getter_(std::move(subscribe_getter)),
      sns_extra_hosts_(std::move(sns_extra_hosts)) {}

PushServer::~PushServer() { stop(); }

namespace {

std::string jsonReply(std::string_view status, std::string_view detail) {
  return nlohmann::json{{"status", status}, {"detail", detail}}.dump() + "\n";
}

// A scheduled rule aimed at the endpoint is a heartbeat: proof that deliveries still arrive.
// Never throws (json::value() would on a detail-type that is not a string).
bool isScheduledEvent(const nlohmann::json& event) {
  if (!event.is_object()) return false;
  auto it = event.find("detail-type");
  return it != event.end() && it->is_string() &&
         it->get_ref<const std::string&>() == "Scheduled Event";
}

}  // namespace

void PushServer::handleEventBridge(const std::string& auth_header, const std::string& api_key,
                                   const std::string& body, int* status, std::string* reply) {
  bool key_ok = !credentials_.api_key.empty() && constantTimeEquals(api_key, credentials_.api_key);
  bool basic_ok = false;
  if (!credentials_.basic_user.empty() && startsWith(auth_header, "Basic ")) {
    std::optional<std::string> decoded = ingest::decodeBase64(auth_header.substr(6));
    std::string expected = credentials_.basic_user + ":" + credentials_.basic_password;
    basic_ok = decoded && constantTimeEquals(*decoded, expected);
  }
  if (!key_ok && !basic_ok) {
    health_.badObject("eventbridge request", "authentication failed");
    *status = 401;
    *reply =
        jsonReply("unauthorized", credentials_.api_key.empty() && credentials_.basic_user.empty()
                                      ? "no EventBridge credentials are configured"
                                      : "missing or wrong credentials");
    return;
  }
  nlohmann::json event = nlohmann::json::parse(body, nullptr, false);
  if (isScheduledEvent(event)) {
    health_.heartbeat();
    *status = 200;
    *reply = jsonReply("ok", "heartbeat");
    return;
  }
  std::string id = event.is_object() && event.contains("id") && event["id"].is_string()
                       ? event["id"].get<std::string>()
                       : "";
  auto r = pipeline_.process("eventbridge:" + id, body);
  if (!r.hasValue()) {
    health_.error(r.status().message());
    *status = 500;  // EventBridge retries: nothing accepted is lost
    *reply = jsonReply("error", "could not store the event; retry");
    return;
  }
  if (r->unreadable || r->records == 0) {
    health_.badObject("eventbridge request",
                      r->first_problem.empty() ? "no CloudTrail record" : r->first_problem);
    *status = 400;
    *reply = jsonReply("bad-request", r->first_problem.empty() ? "no CloudTrail record in the body"
                                                               : r->first_problem);
    return;
  }
  health_.dataArrived("eventbridge:" + id, *r);
  *status = 200;
  *reply = jsonReply("ok", std::to_string(r->new_triggers.size()) + " new trigger(s)");
}

void PushServer::handleSns(const std::string& body, int* status, std::string* reply) {
  SnsVerification v = sns_.verify(body);
  switch (v.verdict) {
    case SnsVerdict::kAccepted:
      break;
    case SnsVerdict::kBadRequest:
      health_.badObject("sns request", v.reason);
      *status = 400;
      *reply = jsonReply("bad-request", v.reason);
      return;
    case SnsVerdict::kForbiddenTopic:
    case SnsVerdict::kBadSignature:
      health_.badObject("sns request", v.reason);
      log::warn("push: rejected SNS message: " + v.reason);
      *status = 403;
      *reply = jsonReply("forbidden", v.reason);
      return;
  }
  const SnsMessage& m = v.message;
  if (m.type == "SubscriptionConfirmation") {
    if (!options_.sns_confirm_subscriptions) {
      log::warn("push: subscription to " + m.topic_arn +
                " awaits confirmation (sns_confirm_subscriptions is off): visit " +
                m.subscribe_url);
      *status = 200;
      *reply = jsonReply("ok", "confirmation left to an operator");
      return;
    }
    std::string why = checkSnsUrl(m.subscribe_url, false, sns_extra_hosts_);
    if (!why.empty()) {
      health_.badObject("sns confirmation", why);
      *status = 403;
      *reply = jsonReply("forbidden", "SubscribeURL: " + why);
      return;
    }
    auto got = subscribe_getter_(m.subscribe_url);
    if (!got.hasValue()) {
      health_.error("confirming " + m.topic_arn + ": " + got.status().message());
      *status = 502;
      *reply = jsonReply("error", "could not confirm the subscription; SNS will resend");
      return;
    }
    log::info("push: confirmed the SNS subscription to " + m.topic_arn);
    health_.heartbeat();
    *status = 200;
    *reply = jsonReply("ok", "subscription confirmed");
    return;
  }
  if (m.type == "UnsubscribeConfirmation") {
    log::warn("push: SNS reports the subscription to " + m.topic_arn + " was removed");
    *status = 200;
    *reply = jsonReply("ok", "unsubscribe noted");
    return;
  }
  auto notice = parseNotice(m.message);
  if (!notice.hasValue()) {
    health_.badObject("sns message " + m.message_id, notice.status().message());
    *status = 400;
    *reply = jsonReply("bad-request", notice.status().message());
    return;
  }
  if (notice->kind == NoticeKind::kTestEvent) {
    health_.heartbeat();
    *status = 200;
    *reply = jsonReply("ok", "test event");
    return;
  }
  if (notice->kind == NoticeKind::kEventBridge) {
    if (isScheduledEvent(nlohmann::json::parse(notice->inner, nullptr, false))) {
      health_.heartbeat();
      *status = 200;
      *reply = jsonReply("ok", "heartbeat");
      return;
    }
    auto r = pipeline_.process("sns:" + m.message_id, notice->inner);
    if (!r.hasValue()) {
      health_.error(r.status().message());
      *status = 500;
      *reply = jsonReply("error", "could not store the event; retry");
      return;
    }
    // As on /eventbridge: an event without a CloudTrail record is a counted 4xx, not new data.
    if (r->unreadable || r->records == 0) {
      std::string why =
          r->first_problem.empty() ? "no CloudTrail record in the event" : r->first_problem;
      health_.badObject("sns message " + m.message_id, why);
      *status = 400;
      *reply = jsonReply("bad-request", why);
      return;
    }
    health_.dataArrived("sns:" + m.message_id, *r);
    *status = 200;
    *reply = jsonReply("ok", std::to_string(r->new_triggers.size()) + " new trigger(s)");
    return;
  }
  // CloudTrail's new-file notice (or an S3 event): fetch the objects now, not at the next poll.
  if (reader_ == nullptr) {
    health_.error("a CloudTrail notice arrived but no S3 access is configured");
    *status = 503;
    *reply = jsonReply("error", "no S3 access configured to fetch the objects");
    return;
  }
  size_t failed = 0;
  for (const auto& o : notice->objects) {
    if (reader_->read(o.bucket, o.key, health_) == ObjectReader::Outcome::kFailed) ++failed;
  }
  if (failed > 0) {
    *status = 500;  // SNS retries the delivery; objects already read are not read twice
    *reply = jsonReply("error", std::to_string(failed) + " object(s) could not be read; retry");
    return;
  }
  health_.polled();
  *status = 200;
  *reply = jsonReply("ok", std::to_string(notice->objects.size()) + " object(s) read");
}

Status PushServer::start() {
  // host:port, [v6]:port; a bad value is a start-up error, not an exception out of std::stoi.
  size_t colon = options_.listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : options_.listen.substr(0, colon);
  std::string port_text = colon == std::string::npos ? "" : options_.listen.substr(colon + 1);
  int port = -1;
  if (colon != std::string::npos && !port_text.empty() && port_text.size() <= 5 &&
      port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) {
    return Status::invalidArgument("push: listen address '" + options_.listen +
                                   "' is not host:port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *server_;
  // The library's default sets SO_REUSEPORT, which lets a second process bind the same port and
  // silently take a share of the deliveries; SO_REUSEADDR alone still allows a quick restart.
  auto listen_socket = std::make_shared<socket_t>(-1);
  s.set_socket_options([listen_socket](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void*>(&yes), sizeof(yes));
    *listen_socket = sock;  // the last socket tried is the one bound
  });
  s.set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  auto timeout = std::chrono::milliseconds(options_.read_timeout_ms);
  s.set_read_timeout(timeout);
  s.set_write_timeout(timeout);
  // One request per connection. The library keeps an idle keep-alive connection, and one whose
  // request timed out (after its 400), on a worker thread for keep_alive_timeout (5 s), which
  // neither read_timeout_ms nor stop() can cut short; deliveries arrive seconds apart, so reuse
  // buys nothing.
  s.set_keep_alive_max_count(1);
  s.Post("/eventbridge", [this](const httplib::Request& req, httplib::Response& res) {
    int status = 500;
    std::string reply;
    handleEventBridge(req.get_header_value("Authorization"),
                      req.get_header_value(credentials_.api_key_header.c_str()), req.body, &status,
                      &reply);
    res.status = status;
    res.set_content(reply, "application/json");
    // Deliveries are minutes apart: saving health with each keeps `honeytrail sources` current.
    (void)health_.flush();
  });
  s.Post("/sns", [this](const httplib::Request& req, httplib::Response& res) {
    int status = 500;
    std::string reply;
    handleSns(req.body, &status, &reply);
    res.status = status;
    res.set_content(reply, "application/json");
    (void)health_.flush();
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  // Anything else: too large (413, set by the library), unknown path, wrong method.
  // The library calls this for every status >= 400, ours included: those already have a body
  // and were counted by their handler.
  s.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                  httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    health_.badObject("request " + req.method + " " + req.path,
                      "HTTP " + std::to_string(res.status));
    res.set_content(jsonReply("error", "HTTP " + std::to_string(res.status)), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        health_.error("internal error while handling a request");
        res.status = 500;
        res.set_content(jsonReply("error", "internal error; retry"), "application/json");
      });
  if (port == 0) {
    port_ = s.bind_to_any_port(host);
    if (port_ <= 0) return Status::ioError("push: cannot listen on " + options_.listen);
  } else {
    if (!s.bind_to_port(host, port)) {
      return Status::ioError("push: cannot listen on " + options_.listen +
                             " (address in use or not permitted)");
    }
    port_ = port;
  }
  // The library listens with a compiled-in backlog of 5: a burst of deliveries beyond that
  // (EventBridge sends many at once) overflowed the accept queue and was reset. Listening again
  // on a listening socket only raises its backlog.
  if (*listen_socket >= 0) ::listen(*listen_socket, SOMAXCONN);
  auto returned = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, returned] {
    server_->listen_after_bind();
    *returned = true;  // listening ended early (accept failed): stop waiting below
  });
  // The library's stop() does nothing until the thread has entered its accept loop; a stop()
  // before that (a later start-up step failed) was lost, and the join in stop() hung for ever.
  // The library says nothing when it gets there, so this checks every millisecond.
  while (!server_->is_running() && !*returned) clock_.sleepFor(std::chrono::milliseconds(1));
  log::info("push: listening on " + host + ":" + std::to_string(port_));
  return Status::ok();
}

void PushServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ht::live
