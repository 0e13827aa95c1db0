// What `honeytrail aws setup --print` emits: the least-privilege IAM policy of the role that mints
// and retires honey users, and a Terraform module for the honey account (trail, data events,
// per-region EventBridge rules with all management events, delivery to honeytrail).
// docs/aws-setup.md explains each choice.
#pragma once

#include <string>
#include <vector>

namespace ht::aws {

struct SetupOptions {
  std::string account_id;            // the honey account ("" = any account: "*")
  std::vector<std::string> regions;  // EventBridge rules go to every one of these
  std::string home_region = "us-east-1";
  std::string user_path_prefix = "/";  // honey users live under this IAM path
};

// JSON policy document for the minting role.
std::string mintingRolePolicy(const SetupOptions& options);
// A self-contained Terraform configuration (variables, providers per region, resources).
std::string honeyAccountTerraform(const SetupOptions& options);
// The AWS commercial regions as of this release, for --regions all.
std::vector<std::string> allCommercialRegions();

}  // namespace ht::aws
