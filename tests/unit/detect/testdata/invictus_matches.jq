# Expected honey-token matches in shared/testdata/cloudtrail/invictus_aws_dataset, computed
# independently of the C++ matcher (plain string containment instead of its word scan).
# Run from the repository root:
#   jq -n -r --slurpfile tokens tests/unit/detect/testdata/invictus_tokens.json \
#     -f tests/unit/detect/testdata/invictus_matches.jq \
#     ../shared/testdata/cloudtrail/invictus_aws_dataset/*.json | sort
# Output: "<eventID> <class> <token name>", one line per match.
[inputs.Records[]] as $records
| $tokens[0][] as $t
| $records[]
| . as $r
| ($r.userIdentity // {}) as $u
| (($r.recipientAccountId // $u.accountId) // "") as $acct
| ($u.accessKeyId == $t.key_id) as $used
| (($u.principalId == $t.principal_id) or ($u.arn == $t.user_arn)
   or ($u.type == "IAMUser" and $u.userName == $t.user_name and $u.accountId == $t.account_id)
   or ($u.sessionContext.sessionIssuer.principalId == $t.principal_id)
   or ($u.sessionContext.sessionIssuer.arn == $t.user_arn)) as $caller
| ($r.eventName == "AttachUserPolicy" and ($r.requestParameters.userName? == $t.user_name)
   and $acct == $t.account_id
   and (($r.requestParameters.policyArn? // "") | contains("AWSCompromisedKeyQuarantine"))) as $exposed
| (($r.requestParameters | tojson) + " " + ($r.responseElements | tojson)) as $text
| ((($r.requestParameters.userName? == $t.user_name) and $acct == $t.account_id)
   or ($text | contains($t.key_id)) or ($text | contains($t.principal_id))
   or ($text | contains($t.user_arn))) as $mentioned
| if $used then "\($r.eventID) used \($t.name)"
  elif $caller then "\($r.eventID) session-used \($t.name)"
  elif $exposed then "\($r.eventID) exposed \($t.name)"
  elif $mentioned then "\($r.eventID) touched \($t.name)"
  else empty end
