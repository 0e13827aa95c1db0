#include "app/serve/steps.h"
#include "core/log.h"

namespace ht::app::serve {
namespace {

// GET over `transport` for SNS certificates and SubscribeURL visits: a 200's body or an error.
live::UrlGetter httpGetter(net::HttpTransport& transport) {
  return [&transport](const std::string& url) -> Result<std::string> {
    net::HttpRequest request;
    request.url = url;
    HT_ASSIGN_OR_RETURN(net::HttpResponse response, transport.send(request));
    if (response.status != 200) {
      return Status::ioError("GET " + url + ": HTTP " + std::to_string(response.status));
    }
    return std::move(response.body);
  };
}

}  // namespace

Status startPushEndpoint(ServeState& state) {
  const config::PushSourceOptions& options = state.config.sources.push;
  // AWS access is needed only to fetch the objects a CloudTrail notice names: an EventBridge-only
  // endpoint runs without credentials (such notices then get 503).
  Result<aws::AwsSession*> session_or = state.newSession();
  aws::AwsSession* session = session_or.hasValue() ? *session_or : nullptr;
  if (session == nullptr) {
    log::warn("push: no AWS access (" + session_or.status().message() +
              "); CloudTrail notices pushed over SNS cannot be fetched");
  }
  state.push_health = &state.newTracker("push", "push");
  live::ObjectReader* reader = session != nullptr ? &state.newReader(*session) : nullptr;

  net::HttpOptions http;
  http.request_timeout_ms = 15000;
  http.max_response_bytes = 1 << 20;
  state.push_fetcher = net::makeCurlTransport(http);
  live::UrlGetter get = httpGetter(*state.push_fetcher);
  // An emulator's SNS endpoint (AWS_ENDPOINT_URL_SNS, aws.endpoint_url) is trusted as a
  // certificate host too; otherwise only sns.<region>.amazonaws.com.
  std::vector<std::string> extra_hosts;
  if (session != nullptr && session->endpoints().isCustom("SNS")) {
    extra_hosts.push_back(live::snsEndpointHost(session->endpoints().endpoint("SNS")));
  }
  live::SnsVerifierOptions sns;
  sns.topic_arns = options.sns_topic_arns;
  sns.cert_dir =
      options.sns_cert_dir.empty() ? state.ctx.dataDir() + "/sns-certs" : options.sns_cert_dir;
  sns.fetch_certs = options.sns_fetch_certs;
  sns.allowed_hosts_extra = extra_hosts;
  state.sns = std::make_unique<live::SnsVerifier>(sns, get);
  state.push =
      std::make_unique<live::PushServer>(options, state.push_credentials, *state.pipeline, reader,
                                         *state.sns, *state.push_health, state.clock, get,
                                         extra_hosts);
  return state.push->start();
}

void stopPushEndpoint(ServeState& state) {
  if (state.push) state.push->stop();
  // Requests finished while stopping are counted too.
  state.saveHealth(state.push_health);
}

}  // namespace ht::app::serve
