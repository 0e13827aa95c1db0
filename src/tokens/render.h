// Renderers put a honey token where an attacker looks: each format produces a file that its real
// consumer (the AWS CLI, a dotenv loader, sh, Python, Node, Terraform, Lambda, cloud-init,
// Kubernetes) reads without complaint, and that looks like a developer's own work. Nothing in the
// output mentions honeytrail. Merging adds a token to an existing file without touching a byte of
// what was there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "core/status.h"

namespace ht::tokens {

enum class RenderFormat {
  kAwsCredentials,  // ~/.aws/credentials profile
  kAwsConfig,       // ~/.aws/config profile (region, output); holds no secret
  kEnv,             // dotenv file
  kShell,           // sourceable sh/bash exports
  kPython,          // boto3 snippet
  kJavaScript,      // AWS SDK for JavaScript v3 (CommonJS) snippet
  kGo,              // aws-sdk-go-v2 program
  kTerraform,       // .tfvars
  kLambdaEnv,       // --environment file:// JSON for aws lambda update-function-configuration
  kEc2UserData,     // bash user-data script that writes ~/.aws/credentials and ~/.aws/config
  kK8sSecret,       // v1 Secret manifest
};

// CLI names: aws-credentials, aws-config, env, shell, python, javascript, go, terraform,
// lambda-env, ec2-user-data, k8s-secret.
bool parseRenderFormat(std::string_view name, RenderFormat* out);
const char* renderFormatName(RenderFormat format);
std::vector<std::string> renderFormatNames();
// Whether mergeInto() and renderIntoFile() add to an existing file of this format.
bool renderFormatMerges(RenderFormat format);

struct RenderInput {
  std::string key_id;   // AKIA...; 16-128 upper-case letters and digits
  SecretString secret;  // printable ASCII without spaces (AWS's are 40 base64 characters)
  std::string profile = "default";  // aws-credentials, aws-config, ec2-user-data
  std::string region = "us-east-1";
  // Per format; "" picks a default:
  //   k8s-secret: metadata.name, a DNS-1123 subdomain ("aws-credentials")
  //   python, javascript, go: the S3 client's variable name ("s3" / "s3" / "client")
  //   lambda-env: the variable prefix, as in PREFIX_AWS_ACCESS_KEY_ID ("BACKUP")
  //   other formats: ignored
  std::string name;
  std::string home_dir = "/root";  // ec2-user-data: whose ~/.aws to write (TARGET_HOME overrides)
};

// The whole file for a fresh placement. InvalidArgument when an input does not fit the format.
Result<std::string> render(RenderFormat format, const RenderInput& input);

// Adds the token to existing file content and returns the new content, of which `existing` is an
// unchanged prefix.
//   aws-credentials / aws-config: appends a profile section. AlreadyExists if the profile is
//     there; InvalidArgument "LABEL is not a valid INI file: line N: ..." if the AWS CLI could not
//     read `existing` (see parseIni).
//   env / shell: appends the variables. AlreadyExists if AWS_ACCESS_KEY_ID or
//     AWS_SECRET_ACCESS_KEY is already assigned; AWS_DEFAULT_REGION is left out when the file
//     already sets it, so the application keeps its region.
//   other formats: Unsupported.
Result<std::string> mergeInto(RenderFormat format, std::string_view existing,
                              const RenderInput& input, const std::string& file_label_for_errors);

// Writes a placement to path; the parent directory must exist.
//   Merge formats: an existing file is merged and replaced atomically, keeping its owner and its
//     mode minus any group/other bits (a symlink is followed, so the link survives); a missing
//     one is created with mode 0600.
//   Other formats: creates a new file with mode 0600; AlreadyExists if path exists.
Status renderIntoFile(RenderFormat format, const RenderInput& input, const std::string& path);

}  // namespace ht::tokens
