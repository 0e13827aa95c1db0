#include "aws/session.h"

namespace ht::aws {

AwsSession::~AwsSession() = default;

Result<std::unique_ptr<AwsSession>> AwsSession::create(const config::AwsOptions& options,
                                                       const Clock& clock, EnvLookup env) {
  std::unique_ptr<AwsSession> s(new AwsSession());
  net::HttpOptions http;
  http.request_timeout_ms = options.request_timeout_ms;
  s->transport_ = net::makeCurlTransport(http);
  s->random_ = std::make_unique<SodiumRandomSource>();
  RetryPolicy retry;
  retry.max_attempts = options.max_attempts;

  ChainOptions chain;
  chain.profile = options.profile;
  chain.role_arn = options.role_arn;
  chain.external_id = options.external_id;
  HT_ASSIGN_OR_RETURN(ProfileSettings profile, loadProfileSettings(chain, env));

  EndpointOverrides overrides;
  overrides.all = options.endpoint_url;
  if (!options.iam_endpoint_url.empty()) overrides.service["IAM"] = options.iam_endpoint_url;
  if (!options.sts_endpoint_url.empty()) overrides.service["STS"] = options.sts_endpoint_url;
  if (!options.s3_endpoint_url.empty()) overrides.service["S3"] = options.s3_endpoint_url;
  if (!options.sqs_endpoint_url.empty()) overrides.service["SQS"] = options.sqs_endpoint_url;
  s->endpoints_ = std::make_unique<EndpointResolver>(env, profile, overrides, options.region);

  // Assuming a role signs an STS call with the source credentials: a short-lived client of its own.
  AwsSession* raw = s.get();
  AssumeRoleFn assume = [raw, &clock, retry](
                            const Credentials& source,
                            const AssumeRoleRequest& request) -> Result<Credentials> {
    auto source_provider = makeStaticCredentials(source);
    AwsClient client(*raw->transport_, *source_provider, clock, *raw->random_, retry);
    StsClient sts(client, raw->endpoints_->endpoint("STS"), raw->endpoints_->region());
    return sts.assumeRole(request);
  };
  HT_ASSIGN_OR_RETURN(s->credentials_, makeDefaultChain(chain, env, assume, clock));

  s->client_ =
      std::make_unique<AwsClient>(*s->transport_, *s->credentials_, clock, *s->random_, retry);
  s->iam_ = std::make_unique<IamClient>(*s->client_, s->endpoints_->endpoint("IAM"));
  s->sts_ = std::make_unique<StsClient>(*s->client_, s->endpoints_->endpoint("STS"),
                                        s->endpoints_->region());
  s->s3_ = std::make_unique<S3Client>(*s->client_, s->endpoints_->endpoint("S3"),
                                      s->endpoints_->region(), s->endpoints_->isCustom("S3"));
  s->sqs_ = std::make_unique<SqsClient>(*s->client_, s->endpoints_->endpoint("SQS"),
                                        s->endpoints_->region(), s->endpoints_->isCustom("SQS"));
  return s;
}

}  // namespace ht::aws
