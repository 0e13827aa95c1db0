# Counts CloudTrail records the way the reader's contract defines them, written independently of
# the C++ code: Records arrays, LookupEvents strings, EventBridge details, bare records.
def isrec: type == "object" and (has("eventVersion") or (has("eventName") and has("eventSource")));
def strict: type == "object" and has("eventVersion") and has("eventName") and has("eventSource");
def one:
  if type != "object" then 0
  elif (.Records | type) == "array" then .Records | length
  elif (.Events | type) == "array" then .Events | length
  elif has("CloudTrailEvent") then 1
  elif has("detail") and (isrec | not) then
    (if ((.["detail-type"] // "") | test("via CloudTrail")) or (.detail | strict) then 1 else 0 end)
  elif isrec then 1
  else 0 end;
def count: if type == "array" then (map(one) | add // 0) else one end;
