// A small SQS client for the live source: ReceiveMessage (long poll), DeleteMessage and
// ChangeMessageVisibility, over the Query protocol (form-encoded POST, XML responses), which
// both AWS and moto serve. The queue is addressed by its URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/status.h"

namespace ht::aws {

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;  // checked against body by receiveMessages
  int receive_count = 0;    // ApproximateReceiveCount, 0 when not returned
};

struct ReceiveRequest {
  int max_messages = 10;       // 1-10
  int wait_seconds = 20;       // 0-20 (long poll)
  int visibility_timeout = -1; // seconds; -1 = the queue's default
};

// Pure parsers, for tests against recorded responses.
Result<std::vector<SqsMessage>> parseReceiveMessageResponse(std::string_view xml);

class SqsClient {
 public:
  // endpoint: "https://sqs.us-east-1.amazonaws.com" or a custom one. The request goes to the
  // queue URL itself (which already names the endpoint for AWS); with a custom endpoint the
  // queue URL's path is kept and its scheme/host replaced by the endpoint's.
  SqsClient(AwsClient& client, std::string endpoint, std::string region, bool custom_endpoint);

  // A message whose MD5OfBody does not match its body is dropped from the result and counted
  // in *corrupt (left on the queue to come back or go to the dead-letter queue).
  Result<std::vector<SqsMessage>> receiveMessages(const std::string& queue_url,
                                                  const ReceiveRequest& request,
                                                  int* corrupt = nullptr);
  Status deleteMessage(const std::string& queue_url, const std::string& receipt_handle);
  Status changeVisibility(const std::string& queue_url, const std::string& receipt_handle,
                          int timeout_seconds);
  // The URL requests for queue_url are sent to (after the custom-endpoint rewrite).
  std::string requestUrl(const std::string& queue_url) const;

 private:
  AwsClient& client_;
  std::string endpoint_;
  std::string region_;
  bool custom_endpoint_;
};

}  // namespace ht::aws
