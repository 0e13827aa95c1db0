#include "aws/sqs_client.h"

#include <openssl/evp.h>

#include <charconv>

#include "aws/iam_client.h"  // queryBody: the same Query-protocol form encoding
#include "aws/xml.h"
#include "core/strings.h"

namespace ht::aws {

namespace {

constexpr char kSqsVersion[] = "2012-11-05";
constexpr char kFormContentType[] = "application/x-www-form-urlencoded; charset=utf-8";
constexpr char kWhat[] = "ReceiveMessage response";

using Params = std::vector<std::pair<std::string, std::string>>;

std::string withoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Lower-case hex MD5, the form SQS writes in MD5OfBody.
std::string md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

Status wrongRoot(const xml::Document& doc) {
  std::string_view found = xml::localName(doc.root());
  std::string msg = std::string(kWhat) +
                    ": expected root element <ReceiveMessageResponse>, found <" +
                    std::string(found) + ">";
  // An error document in a 2xx answer (a proxy, a broken emulator): say what it said.
  std::string code = trim(xml::text(xml::descendant(doc.root(), "Code"), "").value_or(""));
  if (!code.empty()) msg += " (AWS error " + code + ")";
  return Status::corruption(std::move(msg));
}

Result<int> parseCount(xml::Node attribute, const std::string& value) {
  std::string t = trim(value);
  int v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < 0) {
    return Status::corruption(std::string(kWhat) + ": <" + xml::pathOf(attribute) +
                              "> ApproximateReceiveCount is not a count: '" + t + "'");
  }
  return v;
}

bool isMissingQueue(const AwsError& e) {
  return e.code == "AWS.SimpleQueueService.NonExistentQueue" || e.code == "QueueDoesNotExist";
}

// One Query-protocol call to a queue. A missing queue is NotFound naming it, so that the caller
// can tell a configuration error from a transient one.
Result<net::HttpResponse> callQueue(AwsClient& client, const std::string& region,
                               const std::string& request_url, const std::string& action,
                               const std::string& queue_url, const Params& params) {
  ServiceRequest req;
  req.service = "sqs";
  req.region = region;
  req.method = "POST";
  req.url = request_url;
  req.headers.push_back({"Content-Type", kFormContentType});
  // QueueUrl as the caller gave it, as the AWS CLI sends it with --endpoint-url: SQS and moto
  // find the queue from its path, whichever host it names.
  Params all = {{"QueueUrl", queue_url}};
  all.insert(all.end(), params.begin(), params.end());
  req.body = queryBody(action, kSqsVersion, all);
  auto res = client.call(req);
  if (!res) {
    const std::string context = "SQS " + action + " " + queue_url;
    if (isMissingQueue(client.lastError())) {
      return Status::notFound(context + ": the queue does not exist (" + res.status().message() +
                              ")");
    }
    return res.status().withContext(context);
  }
  return res;
}

}  // namespace

Result<std::vector<SqsMessage>> parseReceiveMessageResponse(std::string_view body) {
  HT_ASSIGN_OR_RETURN(xml::Document doc, xml::Document::parse(body, kWhat));
  if (xml::localName(doc.root()) != "ReceiveMessageResponse") return wrongRoot(doc);
  std::vector<SqsMessage> out;
  // AWS sends an empty <ReceiveMessageResult/> when the poll found nothing; tolerate its absence.
  xml::Node result = xml::child(doc.root(), "ReceiveMessageResult");
  for (xml::Node node : xml::children(result, "Message")) {
    SqsMessage m;
    HT_ASSIGN_OR_RETURN(std::string id, xml::requireText(node, "MessageId", kWhat));
    m.message_id = trim(id);
    HT_ASSIGN_OR_RETURN(std::string handle, xml::requireText(node, "ReceiptHandle", kWhat));
    m.receipt_handle = trim(handle);
    if (m.receipt_handle.empty()) {
      return Status::corruption(std::string(kWhat) + ": empty <" + xml::pathOf(node) +
                                "/ReceiptHandle>");
    }
    // The body is taken exactly as written: whitespace and newlines are part of it, and the MD5
    // covers them.
    m.body = xml::text(node, "Body").value_or("");
    m.md5_of_body = toLower(trim(xml::text(node, "MD5OfBody").value_or("")));
    for (xml::Node attr : xml::children(node, "Attribute")) {
      std::string name = trim(xml::text(attr, "Name").value_or(""));
      if (name != "ApproximateReceiveCount") continue;
      HT_ASSIGN_OR_RETURN(m.receive_count, parseCount(attr, xml::text(attr, "Value").value_or("")));
    }
    out.push_back(std::move(m));
  }
  return out;
}

SqsClient::SqsClient(AwsClient& client, std::string endpoint, std::string region,
                     bool custom_endpoint)
    : client_(client),
      endpoint_(withoutTrailingSlash(std::move(endpoint))),
      region_(std::move(region)),
      custom_endpoint_(custom_endpoint) {}

std::string SqsClient::requestUrl(const std::string& queue_url) const {
  size_t scheme_end = queue_url.find("://");
  if (scheme_end == std::string::npos) {
    // Only a path ("/123456789012/queue"): it can only mean the configured endpoint.
    return endpoint_ + (queue_url.empty() || queue_url.front() == '/' ? "" : "/") + queue_url;
  }
  if (!custom_endpoint_) return queue_url;
  // The queue URL names AWS's host (or the emulator's host as seen by whoever created the
  // queue); the operator's endpoint (a VPC endpoint, a proxy, an emulator) is where it is served.
  size_t path = queue_url.find('/', scheme_end + 3);
  return endpoint_ + (path == std::string::npos ? "" : queue_url.substr(path));
}

Result<std::vector<SqsMessage>> SqsClient::receiveMessages(const std::string& queue_url,
                                                           const ReceiveRequest& request,
                                                           int* corrupt) {
  if (corrupt != nullptr) *corrupt = 0;
  if (request.max_messages < 1 || request.max_messages > 10) {
    return Status::invalidArgument("SQS ReceiveMessage: max_messages must be 1-10, not " +
                                   std::to_string(request.max_messages));
  }
  if (request.wait_seconds < 0 || request.wait_seconds > 20) {
    return Status::invalidArgument("SQS ReceiveMessage: wait_seconds must be 0-20, not " +
                                   std::to_string(request.wait_seconds));
  }
  Params params = {
      {"AttributeName.1", "ApproximateReceiveCount"},
      {"MaxNumberOfMessages", std::to_string(request.max_messages)},
      {"WaitTimeSeconds", std::to_string(request.wait_seconds)},
  };
  if (request.visibility_timeout >= 0) {
    params.emplace_back("VisibilityTimeout", std::to_string(request.visibility_timeout));
  }
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, callQueue(client_, region_, requestUrl(queue_url),
                                                  "ReceiveMessage", queue_url, params));
  auto parsed = parseReceiveMessageResponse(res.body);
  if (!parsed) return parsed.status().withContext("SQS " + queue_url);

  std::vector<SqsMessage> out;
  out.reserve(parsed->size());
  for (SqsMessage& m : *parsed) {
    // No MD5OfBody means nothing to check against (botocore skips the check too); a mismatch is
    // damage in transit, and the message is left to come back or reach the dead-letter queue.
    if (!m.md5_of_body.empty() && md5Hex(m.body) != m.md5_of_body) {
      if (corrupt != nullptr) ++*corrupt;
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

Status SqsClient::deleteMessage(const std::string& queue_url, const std::string& receipt_handle) {
  return callQueue(client_, region_, requestUrl(queue_url), "DeleteMessage", queue_url,
                   {{"ReceiptHandle", receipt_handle}})
      .status();
}

Status SqsClient::changeVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                   int timeout_seconds) {
  if (timeout_seconds < 0 || timeout_seconds > 43200) {
    return Status::invalidArgument("SQS ChangeMessageVisibility: timeout must be 0-43200 s, not " +
                                   std::to_string(timeout_seconds));
  }
  return callQueue(client_, region_, requestUrl(queue_url), "ChangeMessageVisibility", queue_url,
                   {{"ReceiptHandle", receipt_handle},
                    {"VisibilityTimeout", std::to_string(timeout_seconds)}})
      .status();
}

}  // namespace ht::aws
