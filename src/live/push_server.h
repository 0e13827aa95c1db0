// The push endpoint: EventBridge API-destination deliveries (POST /eventbridge) and SNS HTTP(S)
// subscriptions (POST /sns), on one HTTP listener (cpp-httplib). Every request is authenticated
// (EventBridge: API key or Basic, compared in constant time; SNS: signature and topic), bounded
// (body size, read timeout), and either becomes records in the pipeline or a 4xx that is counted.
// A 5xx means "try again": the sender retries, so nothing accepted is lost.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "config/config.h"
#include "config/options.h"
#include "core/clock.h"
#include "live/pipeline.h"
#include "live/sns.h"
#include "live/sources.h"

namespace httplib {
class Server;
}

namespace ht::live {

struct PushCredentials {
  std::string api_key_header = "x-api-key";
  std::string api_key;     // "" = API-key auth off
  std::string basic_user;  // "" = Basic auth off
  std::string basic_password;
};

// The credentials the options name, read from env (a variable set to "" counts as unset). An
// error names the missing variable: serve refuses to start rather than run Basic auth with an
// empty password or an API key nobody can send. Names left empty turn that kind of auth off.
Result<PushCredentials> readPushCredentials(const config::PushSourceOptions& options,
                                            const config::EnvLookup& env);

// Fetches a URL with GET (SubscribeURL visits); injected so tests need no AWS.
using UrlGetter = std::function<Result<std::string>(const std::string& url)>;

class PushServer {
 public:
  // reader may be nullptr (no S3 access configured): a pushed CloudTrail notice is then a 503.
  PushServer(const config::PushSourceOptions& options, PushCredentials credentials,
             Pipeline& pipeline, ObjectReader* reader, SnsVerifier& sns, HealthTracker& health,
             const Clock& clock, UrlGetter subscribe_getter,
             std::vector<std::string> sns_extra_hosts = {});
  ~PushServer();

  // Binds options.listen (port 0 = any free port) and starts serving on a thread of its own.
  Status start();
  int port() const { return port_; }
  // Stops accepting, finishes requests in hand, joins.
  void stop();

 private:
  void handleEventBridge(const std::string& auth_header, const std::string& api_key,
                         const std::string& body, int* status, std::string* reply);
  void handleSns(const std::string& body, int* status, std::string* reply);

  config::PushSourceOptions options_;
  PushCredentials credentials_;
  Pipeline& pipeline_;
  ObjectReader* reader_;
  SnsVerifier& sns_;
  HealthTracker& health_;
  const Clock& clock_;
  UrlGetter subscribe_getter_;
  std::vector<std::string> sns_extra_hosts_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Equal strings, in time that depends on neither content nor length (both are hashed first).
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ht::live
