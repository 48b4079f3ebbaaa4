#include "aws/operations.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <array>
#include <vector>

namespace gd2s::aws {

namespace {

constexpr std::array kOperations{
    ops::kListObjectsV2,
    ops::kGetObject,
    ops::kDecryptExport,
    ops::kReceiveMessage,
    ops::kDeleteMessageBatch,
    ops::kChangeMessageVisibilityBatch,
    ops::kChangeMessageVisibility,
    ops::kGetQueueAttributes,
    ops::kListDetectors,
    ops::kListFindings,
    ops::kGetFindings,
};

struct Statement {
  const char* sid;
  IamResource resource;
};

// One statement per resource, in the order a reader meets them.
constexpr std::array kStatements{
    Statement{"ListTheExport", IamResource::kBucket},
    Statement{"ReadTheExport", IamResource::kExportObjects},
    Statement{"DecryptTheExport", IamResource::kExportKey},
    Statement{"ConsumeTheQueue", IamResource::kQueue},
    Statement{"ListTheDetectors", IamResource::kAllResources},
    Statement{"ReadTheFindings", IamResource::kDetector},
};

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_condition(Writer& w, IamResource resource) {
  if (resource == IamResource::kBucket) {
    // Listing is allowed under the export only, including the prefix itself.
    w.Key("Condition");
    w.StartObject();
    w.Key("StringLike");
    w.StartObject();
    w.Key("s3:prefix");
    w.StartArray();
    w.String("PREFIX/AWSLogs/*");
    w.String("PREFIX/AWSLogs/");
    w.EndArray();
    w.EndObject();
    w.EndObject();
  } else if (resource == IamResource::kExportKey) {
    // The key may decrypt only for S3 reads, not for any other use of it.
    w.Key("Condition");
    w.StartObject();
    w.Key("StringEquals");
    w.StartObject();
    w.Key("kms:ViaService");
    w.String("s3.REGION.amazonaws.com");
    w.EndObject();
    w.EndObject();
  }
}

const char* resource_arn(IamResource resource) {
  switch (resource) {
    case IamResource::kBucket:
      return "arn:aws:s3:::BUCKET";
    case IamResource::kExportObjects:
      return "arn:aws:s3:::BUCKET/PREFIX/AWSLogs/*";
    case IamResource::kExportKey:
      return "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID";
    case IamResource::kQueue:
      return "arn:aws:sqs:REGION:ACCOUNT:QUEUE";
    case IamResource::kDetector:
      return "arn:aws:guardduty:REGION:ACCOUNT:detector/*";
    case IamResource::kAllResources:
      return "*";
  }
  return "";
}

}  // namespace

std::span<const Operation> operations() {
  return kOperations;
}

std::string least_privilege_policy_json() {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("Version");
  w.String("2012-10-17");
  w.Key("Statement");
  w.StartArray();
  for (const Statement& statement : kStatements) {
    std::vector<std::string_view> actions;
    for (const Operation& op : kOperations)
      if (op.resource == statement.resource &&
          std::find(actions.begin(), actions.end(), op.iam_action) == actions.end())
        actions.push_back(op.iam_action);
    w.StartObject();
    w.Key("Sid");
    w.String(statement.sid);
    w.Key("Effect");
    w.String("Allow");
    w.Key("Action");
    w.StartArray();
    for (std::string_view action : actions)
      w.String(action.data(), static_cast<rapidjson::SizeType>(action.size()));
    w.EndArray();
    w.Key("Resource");
    w.String(resource_arn(statement.resource));
    write_condition(w, statement.resource);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace gd2s::aws
