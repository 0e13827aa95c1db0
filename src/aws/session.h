// AwsSession wires the AWS pieces together from honeytrail's config: the curl transport,
// the credentials chain (with sts:AssumeRole into the honey account), endpoint resolution, the
// retrying signed client, and the IAM, STS, S3 and SQS clients. Built once per process, on first
// use. The client keeps per-call state (the last error), so a thread that calls AWS on its own
// (each live source) gets a session of its own.
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/iam_client.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
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
  SqsClient& sqs() { return *sqs_; }
  const EndpointResolver& endpoints() const { return *endpoints_; }
  const CredentialsProvider& credentials() const { return *credentials_; }

 private:
  AwsSession() = default;

  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<EndpointResolver> endpoints_;
  std::unique_ptr<AwsClient> client_;
  std::unique_ptr<IamClient> iam_;
  std::unique_ptr<StsClient> sts_;
  std::unique_ptr<S3Client> s3_;
  std::unique_ptr<SqsClient> sqs_;
};

}  // namespace ht::aws
