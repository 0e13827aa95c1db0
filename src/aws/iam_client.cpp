#include "aws/iam_client.h"

#include <cctype>
#include <set>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "core/strings.h"

namespace ht::aws {

namespace {

constexpr char kIamVersion[] = "2010-05-08";
constexpr char kStsVersion[] = "2011-06-15";
constexpr char kFormContentType[] = "application/x-www-form-urlencoded; charset=utf-8";
// IAM lists hold a handful of entries for a honey user; this only stops a server that keeps
// answering IsTruncated=true.
constexpr int kMaxListPages = 1000;

using Params = std::vector<std::pair<std::string, std::string>>;

// Access key IDs, secrets and session tokens never contain whitespace; documentation examples
// wrap them over several lines, so every space is dropped rather than just the ends.
std::string compact(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// A parsed response: the document and its <ActionResult> element, checked to be the right one.
struct ActionDoc {
  xml::Document doc;
  std::string what;  // "GetUser response", for error messages
  xml::Node result;
};

Status wrongRoot(const xml::Document& doc, const std::string& expected, const std::string& what) {
  std::string_view found = xml::localName(doc.root());
  std::string msg =
      what + ": expected root element <" + expected + ">, found <" + std::string(found) + ">";
  if (found == "ErrorResponse" || found == "Error" || found == "Response") {
    // An error document in a 2xx answer: say what it said.
    std::string code = trim(xml::text(xml::descendant(doc.root(), "Code"), "").value_or(""));
    if (found == "Error" && code.empty()) code = trim(xml::text(doc.root(), "Code").value_or(""));
    if (!code.empty()) msg += " (AWS error " + code + ")";
  }
  return Status::corruption(std::move(msg));
}

Result<ActionDoc> openResponse(std::string_view body, const std::string& action, bool need_result) {
  std::string what = action + " response";
  HT_ASSIGN_OR_RETURN(xml::Document doc, xml::Document::parse(body, what));
  const std::string root_name = action + "Response";
  if (xml::localName(doc.root()) != root_name) return wrongRoot(doc, root_name, what);
  xml::Node result;
  if (need_result) {
    HT_ASSIGN_OR_RETURN(result, xml::require(doc.root(), action + "Result", what));
  }
  return ActionDoc{std::move(doc), std::move(what), result};
}

// Text of a required element, trimmed; Corruption names the element by its path from the root.
Result<std::string> required(const ActionDoc& d, xml::Node from, std::string_view path) {
  HT_ASSIGN_OR_RETURN(std::string t, xml::requireText(from, path, d.what));
  return trim(t);
}

// A secret never passes through a plain std::string that outlives this function unwiped.
Result<SecretString> requiredSecret(const ActionDoc& d, xml::Node from, std::string_view path) {
  HT_ASSIGN_OR_RETURN(xml::Node node, xml::require(from, path, d.what));
  std::string raw = xml::text(node, "").value_or("");
  SecretString secret(compact(raw));
  secureZero(raw.data(), raw.size());
  if (secret.empty()) return Status::corruption(d.what + ": empty <" + xml::pathOf(node) + ">");
  return secret;
}

std::string optional(xml::Node from, std::string_view path) {
  auto t = xml::text(from, path);
  return t ? trim(*t) : std::string();
}

// An optional date; present but unreadable is Corruption (a silent nullopt would read as "never").
Result<std::optional<TimePoint>> optionalDate(const ActionDoc& d, xml::Node from,
                                              std::string_view path) {
  std::string t = optional(from, path);
  if (t.empty()) return std::optional<TimePoint>();
  auto tp = parseTime(t);
  if (!tp) {
    return Status::corruption(d.what + ": <" + xml::pathOf(from) + "/" + std::string(path) +
                              "> is not an ISO 8601 time: '" + t + "'");
  }
  return std::optional<TimePoint>(*tp);
}

Result<bool> optionalBool(const ActionDoc& d, xml::Node from, std::string_view path) {
  std::string t = toLower(optional(from, path));
  if (t.empty() || t == "false") return false;
  if (t == "true") return true;
  return Status::corruption(d.what + ": <" + xml::pathOf(from) + "/" + std::string(path) +
                            "> is not a boolean: '" + t + "'");
}

// IsTruncated and Marker of a list response.
struct ListPage {
  bool truncated = false;
  std::string marker;
};

Status readPage(const ActionDoc& d, ListPage* page) {
  if (page == nullptr) return Status::ok();
  HT_ASSIGN_OR_RETURN(page->truncated, optionalBool(d, d.result, "IsTruncated"));
  page->marker = optional(d.result, "Marker");
  return Status::ok();
}

Result<IamUser> parseUser(std::string_view body, const std::string& action,
                          bool user_name_required) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(body, action, true));
  HT_ASSIGN_OR_RETURN(xml::Node user, xml::require(d.result, "User", d.what));
  IamUser out;
  if (user_name_required) {
    HT_ASSIGN_OR_RETURN(out.user_name, required(d, user, "UserName"));
  } else {
    // GetUser for the root user has no UserName.
    out.user_name = optional(user, "UserName");
  }
  HT_ASSIGN_OR_RETURN(out.user_id, required(d, user, "UserId"));
  HT_ASSIGN_OR_RETURN(out.arn, required(d, user, "Arn"));
  out.path = optional(user, "Path");
  HT_ASSIGN_OR_RETURN(out.create_date, optionalDate(d, user, "CreateDate"));
  for (xml::Node member : xml::children(xml::child(user, "Tags"), "member")) {
    HT_ASSIGN_OR_RETURN(std::string key, required(d, member, "Key"));
    out.tags.emplace_back(std::move(key), optional(member, "Value"));
  }
  return out;
}

Result<std::vector<AccessKey>> parseAccessKeys(std::string_view xml, ListPage* page) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "ListAccessKeys", true));
  std::vector<AccessKey> out;
  // An empty list may come as <AccessKeyMetadata/> or not at all.
  for (xml::Node member : xml::children(xml::child(d.result, "AccessKeyMetadata"), "member")) {
    AccessKey key;
    HT_ASSIGN_OR_RETURN(key.access_key_id, required(d, member, "AccessKeyId"));
    key.access_key_id = compact(key.access_key_id);
    key.user_name = optional(member, "UserName");
    key.status = optional(member, "Status");
    HT_ASSIGN_OR_RETURN(key.create_date, optionalDate(d, member, "CreateDate"));
    out.push_back(std::move(key));
  }
  HT_RETURN_IF_ERROR(readPage(d, page));
  return out;
}

Result<std::vector<std::string>> parsePolicyNames(std::string_view xml, ListPage* page) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "ListUserPolicies", true));
  std::vector<std::string> out;
  for (xml::Node member : xml::children(xml::child(d.result, "PolicyNames"), "member")) {
    std::string name = optional(member, "");
    if (name.empty()) return Status::corruption(d.what + ": empty <" + xml::pathOf(member) + ">");
    out.push_back(std::move(name));
  }
  HT_RETURN_IF_ERROR(readPage(d, page));
  return out;
}

Result<std::vector<std::string>> parseAttachedPolicies(std::string_view xml, ListPage* page) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "ListAttachedUserPolicies", true));
  std::vector<std::string> out;
  for (xml::Node member : xml::children(xml::child(d.result, "AttachedPolicies"), "member")) {
    HT_ASSIGN_OR_RETURN(std::string arn, required(d, member, "PolicyArn"));
    out.push_back(std::move(arn));
  }
  HT_RETURN_IF_ERROR(readPage(d, page));
  return out;
}

// Follows Marker until IsTruncated is false; `fetch` gets the marker ("" for the first page).
template <typename T, typename Fetch>
Result<std::vector<T>> collectPages(const std::string& action, Fetch fetch) {
  std::vector<T> all;
  std::set<std::string> seen;
  std::string marker;
  for (int pages = 0; pages < kMaxListPages; ++pages) {
    ListPage page;
    HT_ASSIGN_OR_RETURN(std::vector<T> items, fetch(marker, &page));
    for (T& item : items) all.push_back(std::move(item));
    if (!page.truncated) return all;
    if (page.marker.empty()) {
      return Status::corruption(action + ": IsTruncated is true but there is no Marker");
    }
    if (!seen.insert(page.marker).second) {
      return Status::corruption(action + ": the server repeated Marker '" + page.marker + "'");
    }
    marker = page.marker;
  }
  return Status::corruption(action + ": more than " + std::to_string(kMaxListPages) + " pages");
}

void addIfSet(Params& params, const char* name, const std::string& value) {
  if (!value.empty()) params.emplace_back(name, value);
}

std::string withoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

// ---- parsers ----

Result<IamUser> parseGetUserResponse(std::string_view xml) {
  return parseUser(xml, "GetUser", false);
}

Result<IamUser> parseCreateUserResponse(std::string_view xml) {
  return parseUser(xml, "CreateUser", true);
}

Result<AccessKey> parseCreateAccessKeyResponse(std::string_view xml) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "CreateAccessKey", true));
  HT_ASSIGN_OR_RETURN(xml::Node key, xml::require(d.result, "AccessKey", d.what));
  AccessKey out;
  out.user_name = optional(key, "UserName");
  HT_ASSIGN_OR_RETURN(std::string id, required(d, key, "AccessKeyId"));
  out.access_key_id = compact(id);
  HT_ASSIGN_OR_RETURN(out.status, required(d, key, "Status"));
  HT_ASSIGN_OR_RETURN(out.secret_access_key, requiredSecret(d, key, "SecretAccessKey"));
  HT_ASSIGN_OR_RETURN(out.create_date, optionalDate(d, key, "CreateDate"));
  return out;
}

Result<std::vector<AccessKey>> parseListAccessKeysResponse(std::string_view xml) {
  return parseAccessKeys(xml, nullptr);
}

Result<AccessKeyLastUsed> parseGetAccessKeyLastUsedResponse(std::string_view xml) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "GetAccessKeyLastUsed", true));
  HT_ASSIGN_OR_RETURN(xml::Node used, xml::require(d.result, "AccessKeyLastUsed", d.what));
  AccessKeyLastUsed out;
  out.user_name = optional(d.result, "UserName");
  HT_ASSIGN_OR_RETURN(out.last_used_date, optionalDate(d, used, "LastUsedDate"));
  // AWS sends N/A for a key never used; some emulators leave the elements out instead.
  out.service_name = optional(used, "ServiceName");
  out.region = optional(used, "Region");
  if (out.service_name.empty()) out.service_name = "N/A";
  if (out.region.empty()) out.region = "N/A";
  return out;
}

Result<std::vector<std::string>> parseListUserPoliciesResponse(std::string_view xml) {
  return parsePolicyNames(xml, nullptr);
}

Result<std::string> parseGetUserPolicyResponse(std::string_view xml) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "GetUserPolicy", true));
  HT_ASSIGN_OR_RETURN(std::string encoded, required(d, d.result, "PolicyDocument"));
  // IAM returns the document URL-encoded (RFC 3986), as botocore's unquote expects.
  return trim(xml::percentDecode(encoded));
}

Result<std::vector<std::string>> parseListAttachedUserPoliciesResponse(std::string_view xml) {
  return parseAttachedPolicies(xml, nullptr);
}

Result<Credentials> parseAssumeRoleResponse(std::string_view xml) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "AssumeRole", true));
  HT_ASSIGN_OR_RETURN(xml::Node creds, xml::require(d.result, "Credentials", d.what));
  Credentials out;
  HT_ASSIGN_OR_RETURN(std::string id, required(d, creds, "AccessKeyId"));
  out.access_key_id = compact(id);
  HT_ASSIGN_OR_RETURN(out.secret_access_key, requiredSecret(d, creds, "SecretAccessKey"));
  HT_ASSIGN_OR_RETURN(std::string token, required(d, creds, "SessionToken"));
  out.session_token = compact(token);
  HT_ASSIGN_OR_RETURN(std::string expiration, required(d, creds, "Expiration"));
  auto tp = parseTime(expiration);
  if (!tp) {
    return Status::corruption(d.what + ": <Credentials/Expiration> is not an ISO 8601 time: '" +
                              expiration + "'");
  }
  out.expiration = *tp;
  if (out.access_key_id.empty() || out.session_token.empty()) {
    return Status::corruption(d.what + ": empty <Credentials/AccessKeyId> or <SessionToken>");
  }
  return out;
}

Result<CallerIdentity> parseGetCallerIdentityResponse(std::string_view xml) {
  HT_ASSIGN_OR_RETURN(ActionDoc d, openResponse(xml, "GetCallerIdentity", true));
  CallerIdentity out;
  HT_ASSIGN_OR_RETURN(out.arn, required(d, d.result, "Arn"));
  HT_ASSIGN_OR_RETURN(out.user_id, required(d, d.result, "UserId"));
  HT_ASSIGN_OR_RETURN(out.account, required(d, d.result, "Account"));
  return out;
}

Status checkActionResponse(std::string_view xml, std::string_view action) {
  auto d = openResponse(xml, std::string(action), false);
  return d ? Status::ok() : d.status();
}

std::string queryBody(const std::string& action, const std::string& version,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body = "Action=" + uriEncode(action, false) + "&Version=" + uriEncode(version, false);
  for (const auto& [name, value] : params) {
    body += '&';
    body += uriEncode(name, false);
    body += '=';
    body += uriEncode(value, false);
  }
  return body;
}

// ---- IamClient ----

IamClient::IamClient(AwsClient& client, std::string endpoint)
    : client_(client), endpoint_(withoutTrailingSlash(std::move(endpoint))) {}

Result<net::HttpResponse> IamClient::call(const std::string& action,
                                     std::vector<std::pair<std::string, std::string>> params) {
  ServiceRequest req;
  req.service = "iam";
  req.region = "us-east-1";  // IAM is global and always signed for us-east-1
  req.method = "POST";
  req.url = endpoint_ + "/";
  req.headers.push_back({"Content-Type", kFormContentType});
  req.body = queryBody(action, kIamVersion, params);
  auto res = client_.call(req);
  if (!res) return res.status().withContext(action);
  return res;
}

Result<IamUser> IamClient::createUser(
    const std::string& name, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& tags) {
  Params params = {{"UserName", name}};
  addIfSet(params, "Path", path);
  for (size_t i = 0; i < tags.size(); ++i) {
    const std::string prefix = "Tags.member." + std::to_string(i + 1);
    params.emplace_back(prefix + ".Key", tags[i].first);
    params.emplace_back(prefix + ".Value", tags[i].second);
  }
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("CreateUser", std::move(params)));
  return parseCreateUserResponse(res.body);
}

Result<IamUser> IamClient::getUser(const std::string& name) {
  Params params;
  addIfSet(params, "UserName", name);  // none: the caller's own user
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("GetUser", std::move(params)));
  return parseGetUserResponse(res.body);
}

Status IamClient::deleteUser(const std::string& name) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("DeleteUser", {{"UserName", name}}));
  return checkActionResponse(res.body, "DeleteUser");
}

Status IamClient::putUserPolicy(const std::string& user, const std::string& policy_name,
                                const std::string& policy_json) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("PutUserPolicy", {{"UserName", user},
                                                               {"PolicyName", policy_name},
                                                               {"PolicyDocument", policy_json}}));
  return checkActionResponse(res.body, "PutUserPolicy");
}

Status IamClient::deleteUserPolicy(const std::string& user, const std::string& policy_name) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res,
                      call("DeleteUserPolicy", {{"UserName", user}, {"PolicyName", policy_name}}));
  return checkActionResponse(res.body, "DeleteUserPolicy");
}

Status IamClient::detachUserPolicy(const std::string& user, const std::string& policy_arn) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res,
                      call("DetachUserPolicy", {{"UserName", user}, {"PolicyArn", policy_arn}}));
  return checkActionResponse(res.body, "DetachUserPolicy");
}

Result<std::vector<std::string>> IamClient::listUserPolicies(const std::string& user) {
  return collectPages<std::string>(
      "ListUserPolicies",
      [&](const std::string& marker, ListPage* page) -> Result<std::vector<std::string>> {
        Params params = {{"UserName", user}};
        addIfSet(params, "Marker", marker);
        HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("ListUserPolicies", std::move(params)));
        return parsePolicyNames(res.body, page);
      });
}

Result<std::string> IamClient::getUserPolicy(const std::string& user,
                                             const std::string& policy_name) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res,
                      call("GetUserPolicy", {{"UserName", user}, {"PolicyName", policy_name}}));
  return parseGetUserPolicyResponse(res.body);
}

Result<std::vector<std::string>> IamClient::listAttachedUserPolicies(const std::string& user) {
  return collectPages<std::string>(
      "ListAttachedUserPolicies",
      [&](const std::string& marker, ListPage* page) -> Result<std::vector<std::string>> {
        Params params = {{"UserName", user}};
        addIfSet(params, "Marker", marker);
        HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("ListAttachedUserPolicies", std::move(params)));
        return parseAttachedPolicies(res.body, page);
      });
}

Result<AccessKey> IamClient::createAccessKey(const std::string& user) {
  Params params;
  addIfSet(params, "UserName", user);
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("CreateAccessKey", std::move(params)));
  auto key = parseCreateAccessKeyResponse(res.body);
  secureZero(res.body.data(), res.body.size());  // the secret was in there
  return key;
}

Result<std::vector<AccessKey>> IamClient::listAccessKeys(const std::string& user) {
  return collectPages<AccessKey>(
      "ListAccessKeys",
      [&](const std::string& marker, ListPage* page) -> Result<std::vector<AccessKey>> {
        Params params;
        addIfSet(params, "UserName", user);
        addIfSet(params, "Marker", marker);
        HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("ListAccessKeys", std::move(params)));
        return parseAccessKeys(res.body, page);
      });
}

Status IamClient::updateAccessKey(const std::string& user, const std::string& key_id,
                                  const std::string& status) {
  Params params;
  addIfSet(params, "UserName", user);
  params.emplace_back("AccessKeyId", key_id);
  params.emplace_back("Status", status);
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("UpdateAccessKey", std::move(params)));
  return checkActionResponse(res.body, "UpdateAccessKey");
}

Status IamClient::deleteAccessKey(const std::string& user, const std::string& key_id) {
  Params params;
  addIfSet(params, "UserName", user);
  params.emplace_back("AccessKeyId", key_id);
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("DeleteAccessKey", std::move(params)));
  return checkActionResponse(res.body, "DeleteAccessKey");
}

Result<AccessKeyLastUsed> IamClient::getAccessKeyLastUsed(const std::string& key_id) {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, call("GetAccessKeyLastUsed", {{"AccessKeyId", key_id}}));
  return parseGetAccessKeyLastUsedResponse(res.body);
}

// ---- StsClient ----

StsClient::StsClient(AwsClient& client, std::string endpoint, std::string region)
    : client_(client),
      endpoint_(withoutTrailingSlash(std::move(endpoint))),
      region_(std::move(region)) {}

namespace {
Result<net::HttpResponse> stsCall(AwsClient& client, const std::string& endpoint,
                             const std::string& region, const std::string& action,
                             const Params& params) {
  ServiceRequest req;
  req.service = "sts";
  req.region = region;
  req.method = "POST";
  req.url = endpoint + "/";
  req.headers.push_back({"Content-Type", kFormContentType});
  req.body = queryBody(action, kStsVersion, params);
  auto res = client.call(req);
  if (!res) return res.status().withContext(action);
  return res;
}
}  // namespace

Result<CallerIdentity> StsClient::getCallerIdentity() {
  HT_ASSIGN_OR_RETURN(net::HttpResponse res,
                      stsCall(client_, endpoint_, region_, "GetCallerIdentity", {}));
  return parseGetCallerIdentityResponse(res.body);
}

Result<Credentials> StsClient::assumeRole(const AssumeRoleRequest& request) {
  Params params = {{"RoleArn", request.role_arn},
                   {"RoleSessionName", request.session_name},
                   {"DurationSeconds", std::to_string(request.duration_seconds)}};
  addIfSet(params, "ExternalId", request.external_id);
  HT_ASSIGN_OR_RETURN(net::HttpResponse res, stsCall(client_, endpoint_, region_, "AssumeRole", params));
  auto creds = parseAssumeRoleResponse(res.body);
  secureZero(res.body.data(), res.body.size());  // the secret was in there
  return creds;
}

}  // namespace ht::aws
