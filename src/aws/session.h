// AwsSession wires the AWS pieces together from honeytrail's config: the curl transport,
// the credentials chain (with sts:AssumeRole into the honey account), endpoint resolution, the
// retrying signed client, and the IAM, STS and S3 clients. Built once per process, on first use.
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/iam_client.h"
#include "aws/s3_client.h"
#include "config/options.h"
#include "core/clock.h"

namespace ht::aws {

class AwsSession {
 public:
  static Result<std::unique_ptr<AwsSession>> create(const config::AwsOptions& options,
                                                    const Clock& clock,
                                                    EnvLookup env = processEnvLookup());
  ~AwsSession();

  IamClient& iam() { return *iam_; }
  StsClient& sts() { return *sts_; }
  S3Client& s3() { return *s3_; }
  const EndpointResolver& endpoints() const { return *endpoints_; }
  const CredentialsProvider& credentials() const { return *credentials_; }

 private:
  AwsSession() = default;

  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<EndpointResolver> endpoints_;
  std::unique_ptr<AwsClient> client_;
  std::unique_ptr<IamClient> iam_;
  std::unique_ptr<StsClient> sts_;
  std::unique_ptr<S3Client> s3_;
};

}  // namespace ht::aws
